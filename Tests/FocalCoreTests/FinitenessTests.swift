import FocalCore
import Testing

/// `Tensor.isAllFinite` (the trainer's check of every gradient after backward).
@Suite struct FinitenessTests {
    @Test("isAllFinite: false for a NaN or an infinity anywhere (vector body or scalar tail), true otherwise")
    func allFinite() {
        for count in [0, 1, 15, 16, 17, 40] {
            let values = (0..<count).map { Float($0) * 1e36 - 3 }
            #expect(Tensor(shape: [count], scalars: values).isAllFinite)
            for i in 0..<count {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var v = values
                    v[i] = bad
                    #expect(!Tensor(shape: [count], scalars: v).isAllFinite, "\(bad) at \(i) of \(count)")
                }
            }
        }
        #expect(Tensor(shape: [2], scalars: [.greatestFiniteMagnitude, -.greatestFiniteMagnitude]).isAllFinite)
    }
}
