/// The rotation: one era from `start`, then one per `changes` entry.
public struct Rotation: Sendable, Hashable {
    /// In order; each era begins where the one before it ends.
    public var eras: [RotationEra]

    public init(eras: [RotationEra]) {
        self.eras = eras
    }
}
