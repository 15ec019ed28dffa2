#ifndef CFOCALMPI_H
#define CFOCALMPI_H

#include <stddef.h>

/// Open MPI, found at run time: `focal_mpi_load` dlopen()s the library (RTLD_GLOBAL, which
/// Open MPI's plugins need) and looks up the few functions and predefined handles Focal
/// uses, so that Focal neither links against MPI nor needs it installed unless it runs
/// under `mpirun`. Every call returns 0 on success; on failure it writes one line to
/// `error` (of `capacity` bytes) and returns a non-zero value.

/// Loads `library` (NULL: "libmpi.so.40", Open MPI 4's soname) and resolves the symbols.
/// Idempotent once it succeeded.
int focal_mpi_load(const char *library, char *error, size_t capacity);
/// MPI_Init_thread(MPI_THREAD_FUNNELED), then the rank and size of MPI_COMM_WORLD.
int focal_mpi_init(int *rank, int *size, char *error, size_t capacity);
/// In-place MPI_Allreduce(MPI_SUM) over MPI_COMM_WORLD of `count` floats (split into pieces
/// of at most INT_MAX elements).
int focal_mpi_allreduce_sum_float(float *buffer, size_t count, char *error, size_t capacity);
/// In-place MPI_Allreduce(MPI_SUM) of `count` doubles.
int focal_mpi_allreduce_sum_double(double *buffer, size_t count, char *error, size_t capacity);
/// MPI_Bcast of `count` bytes from `root`.
int focal_mpi_broadcast_bytes(void *buffer, size_t count, int root, char *error, size_t capacity);
/// MPI_Barrier over MPI_COMM_WORLD.
int focal_mpi_barrier(char *error, size_t capacity);
/// MPI_Finalize (once; later calls do nothing).
int focal_mpi_finalize(char *error, size_t capacity);
/// MPI_Abort(MPI_COMM_WORLD, code): ends every rank of the job.
void focal_mpi_abort(int code);

#endif
