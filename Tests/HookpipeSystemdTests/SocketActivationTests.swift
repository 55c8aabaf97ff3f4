import Glibc
import HookpipeSystemd
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SocketActivationTests {
    let pid = getpid()

    @Test func adoptsAListeningSocketAndAcceptsOnIt() throws {
        let listener = try makeTCPSocket(listening: true)
        defer { close(listener.fd) }
        #expect(!isCloseOnExec(listener.fd))
        let environment = ["LISTEN_PID": "\(pid)", "LISTEN_FDS": "1"]
        let activation = try #require(try SocketActivation.adopt(environment: environment, firstDescriptor: listener.fd))
        #expect(activation.sockets == [ActivatedSocket(fd: listener.fd, name: "unknown")])
        #expect(activation.descriptors.map(\.fd) == [listener.fd])
        #expect(isCloseOnExec(listener.fd))

        let fd = try #require(activation.listener(named: "http"))  // the only unnamed fd
        #expect(activation.listener(named: "admin") == nil)
        let client = try connectTCP(port: listener.port)
        defer { close(client) }
        let accepted = accept(fd, nil, nil)
        #expect(accepted >= 0)
        #expect(write(client, "ping", 4) == 4)
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(buffer.withUnsafeMutableBytes { recv(accepted, $0.baseAddress, 4, Int32(MSG_WAITALL)) } == 4)
        #expect(String(decoding: buffer, as: UTF8.self) == "ping")
        close(accepted)
    }

    @Test func findsNamedListenersAmongConsecutiveDescriptors() throws {
        let http = try makeTCPSocket(listening: true)
        let admin = try makeTCPSocket(listening: true)
        let first = try duplicateConsecutively([http.fd, admin.fd])
        close(http.fd)
        close(admin.fd)
        defer { close(first); close(first + 1) }
        let environment = ["LISTEN_PID": "\(pid)", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http:admin"]
        let activation = try #require(try SocketActivation.adopt(environment: environment, firstDescriptor: first))
        #expect(activation.descriptors.map(\.fd) == [first, first + 1])
        #expect(activation.descriptors.map(\.name) == ["http", "admin"])
        #expect(activation.listener(named: "http") == first)
        #expect(activation.listener(named: "admin") == first + 1)
        #expect(activation.listener(named: "metrics") == nil)
        #expect(isCloseOnExec(first) && isCloseOnExec(first + 1))

        let client = try connectTCP(port: admin.port)
        defer { close(client) }
        let accepted = accept(first + 1, nil, nil)
        #expect(accepted >= 0)
        close(accepted)
    }

    @Test func returnsNilWhenNotActivated() throws {
        #expect(try SocketActivation.adopt(environment: ["PATH": "/usr/bin"]) == nil)
    }

    @Test func rejectsAnotherProcessesDescriptors() throws {
        let listener = try makeTCPSocket(listening: true)
        defer { close(listener.fd) }
        let environment = ["LISTEN_PID": "\(pid + 1)", "LISTEN_FDS": "1"]
        let error = #expect(throws: SystemdError.self) {
            try SocketActivation.adopt(environment: environment, firstDescriptor: listener.fd)
        }
        #expect(error?.code == .wrongProcess)
        #expect(error?.call == "LISTEN_PID")
        #expect(!isCloseOnExec(listener.fd))  // left alone
    }

    @Test(arguments: [
        ["LISTEN_FDS": "1"], ["LISTEN_PID": "PID"], ["LISTEN_PID": "PID", "LISTEN_FDS": "one"],
        ["LISTEN_PID": "PID", "LISTEN_FDS": "-1"], ["LISTEN_PID": "x", "LISTEN_FDS": "1"],
        ["LISTEN_PID": "PID", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "http:admin"],
        ["LISTEN_PID": "PID", "LISTEN_FDS": "2", "LISTEN_FDNAMES": "http"],
    ])
    func rejectsInconsistentVariables(template: [String: String]) {
        let environment = template.mapValues { $0 == "PID" ? "\(pid)" : $0 }
        let error = #expect(throws: SystemdError.self) { try SocketActivation.parse(environment: environment) }
        #expect(error?.code == .invalidEnvironment)
        #expect(error?.call.hasPrefix("LISTEN_") == true)
    }

    @Test func rejectsABoundButNotListeningSocket() throws {
        let socket = try makeTCPSocket(listening: false)
        defer { close(socket.fd) }
        let environment = ["LISTEN_PID": "\(pid)", "LISTEN_FDS": "1", "LISTEN_FDNAMES": "http"]
        let error = #expect(throws: SystemdError.self) {
            try SocketActivation.adopt(environment: environment, firstDescriptor: socket.fd)
        }
        #expect(error?.code == .notAListeningSocket)
        #expect(error?.description == "getsockopt: fd \(socket.fd) (http) is not listening")
    }

    @Test func rejectsADatagramSocketAPipeAndAClosedDescriptor() throws {
        let datagram = socket(AF_INET, Int32(SOCK_DGRAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        defer { close(datagram) }
        var pipe: [Int32] = [-1, -1]
        #expect(Glibc.pipe(&pipe) == 0)
        defer { close(pipe[0]); close(pipe[1]) }
        for fd in [datagram, pipe[0]] {
            let error = #expect(throws: SystemdError.self) {
                try SocketActivation.adopt(environment: ["LISTEN_PID": "\(pid)", "LISTEN_FDS": "1"], firstDescriptor: fd)
            }
            #expect(error?.code == .notAListeningSocket)
        }
        let unused: Int32 = 9_999  // far above anything the test process opens
        #expect(fcntl(unused, F_GETFD) == -1)
        let error = #expect(throws: SystemdError.self) {
            try SocketActivation.adopt(environment: ["LISTEN_PID": "\(pid)", "LISTEN_FDS": "1"], firstDescriptor: unused)
        }
        #expect(error?.code == .systemCallFailed)
        #expect(error?.call == "getsockopt")
        #expect(error?.errno == EBADF)
    }

    @Test func fallsBackToTheOnlyUnnamedDescriptorForHttp() {
        let defaults = SocketActivation(sockets: [.init(fd: 3, name: "hookpipe.socket"), .init(fd: 4, name: "admin")])
        #expect(defaults.listener(named: "http") == 3)
        let ambiguous = SocketActivation(sockets: [.init(fd: 3, name: "unknown"), .init(fd: 4, name: "unknown")])
        #expect(ambiguous.listener(named: "http") == nil)
        let named = SocketActivation(sockets: [.init(fd: 3, name: "unknown"), .init(fd: 4, name: "http")])
        #expect(named.listener(named: "http") == 4)
        #expect(named.listener(named: "admin") == nil)
    }
}
