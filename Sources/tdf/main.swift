import CommandLineKit
import TourDeForceCLI

#if canImport(Glibc)
    import Glibc
#endif

let status = await CommandLineTool.main(arguments: Array(CommandLine.arguments.dropFirst()), context: .process())
exit(status)
