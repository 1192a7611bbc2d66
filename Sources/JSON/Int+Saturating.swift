extension Int {
    /// `value` rounded toward zero and clamped to ±2^53 (NaN is 0). Numbers read from JSON, YAML or a file may be
    /// anything those can write (`1e300`, or beyond `Double`, read as infinity), and `Int(_:)` traps on those
    /// outside `Int`'s range; arithmetic on what a client or a file says goes through this instead.
    public init(saturating value: Double) {
        let bound = 9_007_199_254_740_992.0  // 2^53: every whole number up to it is exact as a Double
        self = value.isNaN ? 0 : Int(Swift.min(Swift.max(value, -bound), bound))
    }
}
