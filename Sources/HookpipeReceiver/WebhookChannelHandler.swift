import Foundation
import HookpipeStore
import HookpipeVerification
import Logging
import NIOCore
import NIOHTTP1

/// One connection's HTTP handling: collects a request within the limits,
/// asks ``Ingest`` what to do, stores when told to, and answers.
///
/// The acknowledgement is written only after the store reported the event
/// durable; any store error is answered 503 so the sender retries.
///
/// Answers go out in request order. A request that arrives (pipelined)
/// while an earlier one waits for the store is queued here, and reading
/// pauses until the queue is worked off. NIO's pipelining handler would do
/// the same, but by pausing reads for every request, which costs two
/// `epoll_ctl` calls per request on connections that never pipeline.
///
/// There is no HTTP encoder behind this handler: every answer (and the
/// `100 Continue` and malformed-request 400) is written as one buffer of
/// bytes, see `WebhookResponse+Wire.swift`.
final class WebhookChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case receiving(head: HTTPRequestHead, body: ByteBuffer, receivedAtMicros: Int64, startNanos: UInt64)
        /// An answer that closes the connection was sent (413, 431 before the
        /// body ended, or `Connection: close`); later parts are ignored.
        case refused
    }

    private let shared: ReceiverContext
    /// This connection's event loop's mailbox: store outcomes come back through it.
    private let mailbox: LoopMailbox
    private var state: State = .idle
    /// A stored request's answer is outstanding.
    private var awaitingStore = false
    /// Parts of requests that arrived while `awaitingStore`, in order.
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    /// A read was held back because requests are queued.
    private var readHeld = false
    /// The decoder failed while answers were still owed: answer 400 after them.
    private var protocolErrorOwed = false
    /// The peer's IP address as text, formatted on the first request (the
    /// channel's getter takes a lock, and formatting allocates).
    private var peer: String??

    private func peerAddress(_ context: ChannelHandlerContext) -> String? {
        if let peer { return peer }
        let address = context.channel.remoteAddress?.ipAddress
        peer = .some(address)
        return address
    }

    init(shared: ReceiverContext, mailbox: LoopMailbox) {
        self.shared = shared
        self.mailbox = mailbox
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if awaitingStore || !queued.isEmpty {
            queued.append(part)
            return
        }
        handle(part, context: context)
    }

    /// Malformed HTTP gets the 400 NIO's protocol error handler would write
    /// (`Connection: close`, no body), then the connection closes; when
    /// earlier requests are still owed their answers, after those.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        if awaitingStore || !queued.isEmpty {
            // Requests before the broken one still get their own answers first.
            protocolErrorOwed = true
        } else {
            answerProtocolError(context: context)
        }
    }

    private func answerProtocolError(context: ChannelHandlerContext) {
        if case .refused = state { return }  // already answered with a close
        state = .refused
        queued.removeAll()
        let answer = WebhookResponse.malformedRequestWire(allocator: context.channel.allocator)
        context.writeAndFlush(wrapOutboundOut(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    /// Holds reads back while pipelined requests wait in `queued`.
    func read(context: ChannelHandlerContext) {
        if queued.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    /// After an answer: handles queued parts until one starts another store;
    /// once none are left, answers an owed protocol error, or reads on.
    private func resumeQueued(context: ChannelHandlerContext) {
        while !awaitingStore, context.channel.isActive, let part = queued.popFirst() {
            handle(part, context: context)
        }
        guard !awaitingStore, queued.isEmpty else { return }
        if protocolErrorOwed {
            answerProtocolError(context: context)
        } else if readHeld {
            readHeld = false
            context.read()
        }
    }

    private func handle(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .idle):
            receiveHead(head, context: context)
        case (.body(var chunk), .receiving(let head, var body, let receivedAt, let start)):
            guard body.readableBytes + chunk.readableBytes <= shared.limits.maxBodyBytes else {
                refuse(.error(413, "body_too_large", "the body exceeds \(shared.limits.maxBodyBytes) bytes"), head: head, context: context)
                return
            }
            state = .idle  // drop the reference so the write below does not copy
            body.writeBuffer(&chunk)
            state = .receiving(head: head, body: body, receivedAtMicros: receivedAt, startNanos: start)
        case (.end, .receiving(let head, let body, let receivedAt, let start)):
            state = .idle
            context.triggerUserOutboundEvent(RequestTimeoutHandler.RequestReceived(), promise: nil)
            process(head: head, body: body, receivedAtMicros: receivedAt, startNanos: start, context: context)
        case (_, .refused):
            break
        case (.head, _), (.body, _), (.end, _):
            // Out of order parts cannot come from NIO's decoder; close rather than guess.
            context.close(promise: nil)
        }
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let start = DispatchTime.now().uptimeNanoseconds
        let receivedAt = Int64(Date().timeIntervalSince1970 * 1_000_000)
        state = .receiving(head: head, body: context.channel.allocator.buffer(capacity: 0), receivedAtMicros: receivedAt, startNanos: start)
        let headerBytes = head.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + head.uri.utf8.count
        if headerBytes > shared.limits.maxHeaderBytes {
            refuse(.error(431, "headers_too_large", "request headers exceed \(shared.limits.maxHeaderBytes) bytes"), head: head, context: context)
            return
        }
        if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > shared.limits.maxBodyBytes {
            refuse(.error(413, "body_too_large", "the body exceeds \(shared.limits.maxBodyBytes) bytes"), head: head, context: context)
            return
        }
        if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
            context.writeAndFlush(wrapOutboundOut(WebhookResponse.continueWire(version: head.version, allocator: context.channel.allocator)),
                                  promise: nil)
        }
    }

    private func process(head: HTTPRequestHead, body: ByteBuffer, receivedAtMicros: Int64, startNanos: UInt64, context: ChannelHandlerContext) {
        var headers = HeaderFields()
        for (name, value) in head.headers { headers.add(name: name, value: value) }
        let request = ReceivedRequest(
            method: head.method.rawValue, uri: head.uri, headers: headers,
            body: Array(body.readableBytesView), remoteAddress: peerAddress(context),
            receivedAtMicros: receivedAtMicros)
        switch shared.ingest.decide(request) {
        case .respond(let response, let summary):
            finish(response, summary: summary, head: head, remote: request.remoteAddress, startNanos: startNanos, context: context)
        case .store(let event, let summary, let acknowledgement):
            awaitingStore = true
            shared.inFlight.wrappingIncrement(ordering: .relaxed)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let remote = request.remoteAddress
            let mailbox = self.mailbox
            // The writer thread calls back once the batch holding the event is
            // durable; the answer is written on this connection's event loop.
            shared.store.append(event) { result in
                mailbox.enqueue {
                    let (handler, context) = loopBound.value
                    handler.answerStored(result, event: event, summary: summary, acknowledgement: acknowledgement, head: head,
                                         remote: remote, startNanos: startNanos, context: context)
                }
            }
        }
    }

    /// Answers a request whose event the store took (or failed to take).
    private func answerStored(_ result: Result<AppendOutcome, StoreError>, event: IncomingEvent, summary: Ingest.RequestSummary,
                              acknowledgement: Ingest.Acknowledgement, head: HTTPRequestHead, remote: String?, startNanos: UInt64,
                              context: ChannelHandlerContext) {
        var summary = summary
        let response: WebhookResponse
        switch (result, acknowledgement) {
        case (.success(.stored(let seq)), .json):
            response = .accepted(seq: seq, id: event.dedupeKey)
        case (.success(.duplicate(let seq)), .json):
            response = .duplicate(seq: seq, id: event.dedupeKey)
        case (.success(.stored), .empty):
            response = .emptyAcknowledgement(outcome: "accepted")
        case (.success(.duplicate), .empty):
            response = .emptyAcknowledgement(outcome: "duplicate")
        case (.failure(let error), _):
            summary.reason = error.message
            response = .storeUnavailable(error.code.rawValue, retryAfterSeconds: shared.limits.retryAfterSeconds)
        }
        finish(response, summary: summary, head: head, remote: remote, startNanos: startNanos, context: context)
        shared.inFlight.wrappingDecrement(ordering: .relaxed)
        awaitingStore = false
        resumeQueued(context: context)
    }

    /// Answers and closes the connection; the rest of the request is not read.
    private func refuse(_ response: WebhookResponse, head: HTTPRequestHead, context: ChannelHandlerContext) {
        state = .refused
        let start: UInt64 = DispatchTime.now().uptimeNanoseconds
        write(response, head: head, keepAlive: false, context: context)
        shared.log(response, summary: .init(source: nil, eventID: nil, reason: response.outcome), method: head.method.rawValue,
                   uri: head.uri, remote: peerAddress(context), startNanos: start)
    }

    private func finish(_ response: WebhookResponse, summary: Ingest.RequestSummary, head: HTTPRequestHead, remote: String?,
                        startNanos: UInt64, context: ChannelHandlerContext) {
        write(response, head: head, keepAlive: head.isKeepAlive, context: context)
        if !head.isKeepAlive {
            // The connection closes after this answer: nothing after it is read.
            state = .refused
            queued.removeAll()
        }
        context.triggerUserOutboundEvent(RequestTimeoutHandler.ResponseSent(), promise: nil)
        shared.log(response, summary: summary, method: head.method.rawValue, uri: head.uri, remote: remote, startNanos: startNanos)
    }

    private func write(_ response: WebhookResponse, head: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        let answer = response.wire(version: head.version, keepAlive: keepAlive, includeBody: head.method != .HEAD,
                                   allocator: context.channel.allocator)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
        } else {
            context.writeAndFlush(wrapOutboundOut(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
