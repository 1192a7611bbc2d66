// The library product: everything the `tdf` command line does, callable from Swift. The modules whose types the
// API speaks in are re-exported, so one `import TourDeForce` is enough (ADR 0007).
@_exported public import Analysis
@_exported public import Cassettes
@_exported public import HTTPTransport
@_exported public import HTTPWire
@_exported public import Harness
@_exported public import JSON
@_exported public import MIDI
@_exported public import RecordingProxy
@_exported public import Reporting
@_exported public import StoriStack
@_exported public import Vocabulary

/// This release of tdf.
public enum Release {
    /// The version, printed by `tdf --version` and written into recordings and reports.
    public static let version = "0.1.0"
}
