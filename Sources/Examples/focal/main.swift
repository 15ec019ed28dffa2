import FocalCore
print(BLAS.coreName, BLAS.setup, BLAS.referenceCheckError, Threading.threadCount)
let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]).requiringGradient()
let b = (a * a).sum()
b.backward()
print(b, a.grad!)
