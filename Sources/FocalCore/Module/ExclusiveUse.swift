import Synchronization

/// Counts the tasks inside one module's `withExclusiveUse(_:)`.
final class ExclusiveUseGuard: Sendable {
    let users = Atomic<Int>(0)
}

extension Module {
    /// Runs `body` — a forward pass — as the only use of this module.
    ///
    /// A module may move between tasks but must not be used by two at once (see `Module`). In
    /// debug builds this checks the rule: when another task is inside `withExclusiveUse` of the
    /// same module, it traps with a message saying so; release builds run `body` unchecked.
    /// The check costs two atomic additions per call. Calls must not nest on one module.
    public func withExclusiveUse<R>(_ body: () throws -> R) rethrows -> R {
        #if DEBUG
        let others = _exclusiveUse.users.add(1, ordering: .acquiringAndReleasing).oldValue
        defer { _exclusiveUse.users.subtract(1, ordering: .acquiringAndReleasing) }
        precondition(others == 0, """
            \(type(of: self)): used by two tasks at once; a module may move between tasks but not run \
            two forward passes concurrently — give each task its own instance \
            (copy.load(stateDict: model.stateDict()))
            """)
        #endif
        return try body()
    }
}
