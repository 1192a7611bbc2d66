import Testing
import Vocabulary

@Suite struct DurationUnitsTests {
    /// Seconds and milliseconds keep the fraction; whole milliseconds cut it off, towards zero for negative
    /// durations too, as `duration_ms` in a run summary has always been written.
    @Test func conversions() {
        let duration = Duration.seconds(2) + .microseconds(1_750)
        #expect(duration.secondsValue == 2.00175)
        #expect(duration.millisecondsValue == 2001.75)
        #expect(duration.wholeMilliseconds == 2001)
        #expect(Duration.milliseconds(-1_500).wholeMilliseconds == -1500)
        #expect((Duration.zero - .microseconds(2_500)).wholeMilliseconds == -2)
        #expect(Duration.zero.secondsValue == 0)
    }
}
