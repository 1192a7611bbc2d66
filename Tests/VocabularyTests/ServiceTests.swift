import Testing
import Vocabulary

@Suite struct ServiceTests {
    /// The stack's three services are named as recordings and the command line name them.
    @Test func stackServices() {
        #expect([Service.maestro, .storpheus, .muse].map(\.rawValue) == ["maestro", "storpheus", "muse"])
        #expect(Service(rawValue: "maestro") == .maestro)
        #expect(Service.muse.description == "muse")
    }

    /// A user may name any service whose name can be part of a file name; anything else is refused with a reason.
    @Test func userNamedServices() {
        #expect(Service(rawValue: "api-v2_eu")?.rawValue == "api-v2_eu")
        #expect(Service(rawValue: String(repeating: "a", count: 64)) != nil)
        for name in ["", String(repeating: "a", count: 65), "a/b", "..", "a b", "é", "name=x"] {
            #expect(Service(rawValue: name) == nil, "\(name)")
            #expect(Service.problem(withName: name) != nil, "\(name)")
        }
        #expect(Service.problem(withName: "a b") == "the service name 'a b' may hold only letters, digits, '_' and '-'")
        #expect(Service.problem(withName: "") == "the service name must have 1 to 64 characters")
    }
}
