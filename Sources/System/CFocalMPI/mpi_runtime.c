// Open MPI loaded with dlopen: no mpi.h and no link-time dependency. Open MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are the addresses of predefined global objects
// (`ompi_mpi_comm_world`, ...), so dlsym() of those names gives the handles themselves.
// The function signatures below are those of the MPI standard with every handle an opaque
// pointer, which is how Open MPI defines them.
#include "CFocalMPI.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef void *focal_handle;

static int (*p_init_thread)(int *, char ***, int, int *);
static int (*p_initialized)(int *);
static int (*p_finalized)(int *);
static int (*p_comm_rank)(focal_handle, int *);
static int (*p_comm_size)(focal_handle, int *);
static int (*p_allreduce)(const void *, void *, int, focal_handle, focal_handle, focal_handle);
static int (*p_bcast)(void *, int, focal_handle, int, focal_handle);
static int (*p_barrier)(focal_handle);
static int (*p_finalize)(void);
static int (*p_abort)(focal_handle, int);
static int (*p_error_string)(int, char *, int *);
static focal_handle comm_world, type_float, type_double, type_byte, op_sum;
static int loaded = 0;

/// MPI_THREAD_FUNNELED (Open MPI's enum: SINGLE 0, FUNNELED 1, SERIALIZED 2, MULTIPLE 3):
/// only the main thread calls MPI; Focal's worker threads never do.
static const int thread_funneled = 1;
/// MPI_IN_PLACE in Open MPI.
#define FOCAL_MPI_IN_PLACE ((void *)1)
/// The largest count one MPI call takes (an `int`).
static const size_t max_piece = (size_t)INT_MAX;

static int fail(char *error, size_t capacity, const char *format, ...) {
    if (error && capacity > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(error, capacity, format, args);
        va_end(args);
    }
    return 1;
}

static int mpi_fail(char *error, size_t capacity, const char *call, int code) {
    char text[256] = "";
    int length = 0;
    if (p_error_string) p_error_string(code, text, &length);
    return fail(error, capacity, "%s failed with MPI error %d (%s)", call, code, text[0] ? text : "no description");
}

int focal_mpi_load(const char *library, char *error, size_t capacity) {
    if (loaded) return 0;
    const char *name = library ? library : "libmpi.so.40";
    // RTLD_GLOBAL: Open MPI's components (mca_*.so) are plugins that resolve libmpi's symbols.
    void *handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) return fail(error, capacity, "cannot load %s (%s)", name, dlerror());
    struct { const char *name; void **slot; } symbols[] = {
        {"MPI_Init_thread", (void **)&p_init_thread}, {"MPI_Initialized", (void **)&p_initialized},
        {"MPI_Finalized", (void **)&p_finalized}, {"MPI_Comm_rank", (void **)&p_comm_rank},
        {"MPI_Comm_size", (void **)&p_comm_size}, {"MPI_Allreduce", (void **)&p_allreduce},
        {"MPI_Bcast", (void **)&p_bcast}, {"MPI_Barrier", (void **)&p_barrier},
        {"MPI_Finalize", (void **)&p_finalize}, {"MPI_Abort", (void **)&p_abort},
        {"MPI_Error_string", (void **)&p_error_string},
        {"ompi_mpi_comm_world", &comm_world}, {"ompi_mpi_float", &type_float},
        {"ompi_mpi_double", &type_double}, {"ompi_mpi_byte", &type_byte}, {"ompi_mpi_op_sum", &op_sum},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        void *address = dlsym(handle, symbols[i].name);
        if (!address) {
            return fail(error, capacity, "%s lacks the symbol %s (Focal needs Open MPI's libmpi.so.40)", name, symbols[i].name);
        }
        *symbols[i].slot = address;
    }
    loaded = 1;
    return 0;
}

int focal_mpi_init(int *rank, int *size, char *error, size_t capacity) {
    if (!loaded) return fail(error, capacity, "MPI is not loaded");
    int initialized = 0, provided = 0, code;
    p_initialized(&initialized);
    if (!initialized && (code = p_init_thread(NULL, NULL, thread_funneled, &provided)) != 0)
        return mpi_fail(error, capacity, "MPI_Init_thread", code);
    if ((code = p_comm_rank(comm_world, rank)) != 0) return mpi_fail(error, capacity, "MPI_Comm_rank", code);
    if ((code = p_comm_size(comm_world, size)) != 0) return mpi_fail(error, capacity, "MPI_Comm_size", code);
    return 0;
}

static int allreduce_sum(void *buffer, size_t count, size_t element, focal_handle type, char *error, size_t capacity) {
    if (!loaded) return fail(error, capacity, "MPI is not loaded");
    char *bytes = buffer;
    for (size_t done = 0; done < count;) {
        size_t piece = count - done < max_piece ? count - done : max_piece;
        int code = p_allreduce(FOCAL_MPI_IN_PLACE, bytes + done * element, (int)piece, type, op_sum, comm_world);
        if (code != 0) return mpi_fail(error, capacity, "MPI_Allreduce", code);
        done += piece;
    }
    return 0;
}

int focal_mpi_allreduce_sum_float(float *buffer, size_t count, char *error, size_t capacity) {
    return allreduce_sum(buffer, count, sizeof(float), type_float, error, capacity);
}

int focal_mpi_allreduce_sum_double(double *buffer, size_t count, char *error, size_t capacity) {
    return allreduce_sum(buffer, count, sizeof(double), type_double, error, capacity);
}

int focal_mpi_broadcast_bytes(void *buffer, size_t count, int root, char *error, size_t capacity) {
    if (!loaded) return fail(error, capacity, "MPI is not loaded");
    char *bytes = buffer;
    for (size_t done = 0; done < count;) {
        size_t piece = count - done < max_piece ? count - done : max_piece;
        int code = p_bcast(bytes + done, (int)piece, type_byte, root, comm_world);
        if (code != 0) return mpi_fail(error, capacity, "MPI_Bcast", code);
        done += piece;
    }
    return 0;
}

int focal_mpi_barrier(char *error, size_t capacity) {
    if (!loaded) return fail(error, capacity, "MPI is not loaded");
    int code = p_barrier(comm_world);
    return code == 0 ? 0 : mpi_fail(error, capacity, "MPI_Barrier", code);
}

int focal_mpi_finalize(char *error, size_t capacity) {
    if (!loaded) return 0;
    int finalized = 0;
    p_finalized(&finalized);
    if (finalized) return 0;
    int code = p_finalize();
    return code == 0 ? 0 : mpi_fail(error, capacity, "MPI_Finalize", code);
}

void focal_mpi_abort(int code) {
    if (loaded) p_abort(comm_world, code);
}
