extension Int {
    /// `value` rounded toward zero, clamped to ±2^53 (NaN is 0): numbers that come from a request or a prompt may
    /// be anything JSON or YAML can write, and `Int(_:)` traps on those beyond `Int`'s range.
    init(saturating value: Double) {
        let bound = 9_007_199_254_740_992.0  // 2^53: every Int up to it is exact as a Double
        self = value.isNaN ? 0 : Int(Swift.min(Swift.max(value, -bound), bound))
    }
}
