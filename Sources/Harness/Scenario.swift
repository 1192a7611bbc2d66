/// What one run does after the compose and the first commit: waves of edit branches and merges, the deliberate
/// conflict, the checkout traversal, the drift test. Five scenarios exist; a run's index picks one.
public struct Scenario: Sendable, Equatable {
    /// An edit branch: a compose stream with an edit prompt on top of `parent`'s project, committed as `name`.
    struct Edit: Sendable, Equatable {
        /// The commit's symbolic name, e.g. `B3`.
        var name: String
        /// The symbolic name of the parent commit (`HEAD` or an earlier name).
        var parent: String
    }

    /// A merge of `right` into `left` (normally `HEAD`), named `name`; expected to be clean.
    struct Merge: Sendable, Equatable {
        var name: String
        var left: String
        var right: String
    }

    /// A wave: its edits in order, then its merges; branches not merged are carried to later waves.
    struct Wave: Sendable, Equatable {
        var edits: [Edit]
        var merges: [Merge]
    }

    /// A checkout of a symbolic ref, forced or not.
    struct Checkout: Sendable, Equatable {
        var ref: String
        var force: Bool
    }

    /// The scenario's name, as in the envelope's `scenario`.
    public let name: String
    let waves: [Wave]
    /// Whether the run creates two conflicting branches from HEAD and expects their merge to answer 409.
    let conflict: Bool
    let checkouts: [Checkout]
    /// Whether the run tests drift: change the working tree, expect a non-forced checkout to answer 409, then
    /// recover with a forced one.
    let drift: Bool

    /// The number of compose streams the scenario opens (compose, edits, conflict edits, drift edit).
    public var streamCount: Int {
        1 + waves.reduce(0) { $0 + $1.edits.count } + (conflict ? 2 : 0) + (drift ? 1 : 0)
    }

    /// The number of clean merges the scenario expects.
    public var expectedMerges: Int { waves.reduce(0) { $0 + $1.merges.count } }

    /// Whether the scenario expects a merge conflict.
    public var expectsConflict: Bool { conflict }

    /// Whether the scenario tests drift.
    public var testsDrift: Bool { drift }

    /// The five scenarios in the order run indexes pick them.
    public static let all: [Scenario] = [deepBranching, standard, conflictOnly, checkoutStress, minimal]

    /// The scenario of the run with 1-based `index`: the five in turn.
    public static func forRun(index: Int) -> Scenario {
        all[((index - 1) % all.count + all.count) % all.count]
    }

    private static func edit(_ name: String, from parent: String = "HEAD") -> Edit {
        Edit(name: name, parent: parent)
    }

    private static func merge(_ name: String, _ right: String) -> Merge {
        Merge(name: name, left: "HEAD", right: right)
    }

    /// Four waves, fourteen branches, eight merges (partial merges, carried branches), a conflict, a long
    /// checkout traversal and the drift test.
    static let deepBranching = Scenario(
        name: "deep-branching",
        waves: [
            Wave(
                edits: [edit("B1"), edit("B2"), edit("B3"), edit("B4")],
                merges: [merge("M1", "B1"), merge("M2", "B2")]
            ),
            Wave(
                edits: [edit("B5", from: "B3"), edit("B6", from: "B4"), edit("B7"), edit("B8")],
                merges: [merge("M3", "B5"), merge("M4", "B7")]
            ),
            Wave(
                edits: [edit("B9", from: "B6"), edit("B10", from: "B8"), edit("B11"), edit("B12", from: "B10")],
                merges: [merge("M5", "B9"), merge("M6", "B12")]
            ),
            Wave(edits: [edit("B13"), edit("B14", from: "B11")], merges: [merge("M7", "B13"), merge("M8", "B14")]),
        ],
        conflict: true,
        checkouts: [
            Checkout(ref: "C1", force: true), Checkout(ref: "B3", force: true), Checkout(ref: "M4", force: true),
            Checkout(ref: "B12", force: true), Checkout(ref: "M8", force: true),
        ],
        drift: true
    )

    /// Two branches merged cleanly, a conflict, a checkout traversal and the drift test.
    static let standard = Scenario(
        name: "standard",
        waves: [Wave(edits: [edit("B1"), edit("B2")], merges: [merge("M1", "B1"), merge("M2", "B2")])],
        conflict: true,
        checkouts: [
            Checkout(ref: "C1", force: true), Checkout(ref: "B1", force: true), Checkout(ref: "M2", force: true),
        ],
        drift: true
    )

    /// Only the deliberate conflict, forced checkouts and the drift test.
    static let conflictOnly = Scenario(
        name: "conflict-only",
        waves: [],
        conflict: true,
        checkouts: [Checkout(ref: "X1", force: true), Checkout(ref: "C1", force: true)],
        drift: true
    )

    /// Three branches, two merges and a long traversal mixing forced and non-forced checkouts, then the drift test.
    static let checkoutStress = Scenario(
        name: "checkout-stress",
        waves: [Wave(edits: [edit("B1"), edit("B2"), edit("B3")], merges: [merge("M1", "B1"), merge("M2", "B3")])],
        conflict: false,
        checkouts: [
            Checkout(ref: "C1", force: true), Checkout(ref: "B1", force: false), Checkout(ref: "B2", force: false),
            Checkout(ref: "M1", force: false), Checkout(ref: "B3", force: false), Checkout(ref: "M2", force: false),
            Checkout(ref: "C1", force: false), Checkout(ref: "HEAD", force: false),
        ],
        drift: true
    )

    /// Compose, commit and graph export only.
    static let minimal = Scenario(name: "minimal", waves: [], conflict: false, checkouts: [], drift: false)
}
