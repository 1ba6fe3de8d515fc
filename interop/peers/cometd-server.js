// cometd-server.js runs the CometD project's own Node server
// (cometd-nodejs-server, long-polling only) on 127.0.0.1 for the interop tests.
//
//   node cometd-server.js [--port N] [--timeout MS] [--max-interval MS]
//
// Every path except /_control/* is the Bayeux endpoint. When listening it
// prints one line {"port":N} on stdout. See lib/control.js for the control
// endpoints. Subscribing to a channel under /early/ publishes one message on
// it from the server's "subscribed" listener (see below).
import http from "node:http";
import cometd from "cometd-nodejs-server";
import {Control, announce, exitOnSignals, metaConnectIn, nowMicros, parseOptions, readBody} from "./lib/control.js";

const opts = parseOptions(process.argv.slice(2), process.env);

const bayeux = cometd.createCometDServer({
    timeout: opts.timeout,
    maxInterval: opts.maxInterval,
});

const control = new Control((channel, data) => {
    bayeux.createServerChannel(channel).publish(null, data);
});

// A subscription to a channel under /early/ makes the server publish one
// message {phase: "early"} on it from its "subscribed" listener, before the
// subscribe reply exists: the message is queued for the session and written
// ahead of the subscribe reply in the same response (or into a held
// /meta/connect), as a CometD server does with anything queued.
bayeux.addListener("subscribed", (channel) => {
    if (channel.name.startsWith("/early/")) {
        channel.publish(null, {phase: "early", seq: 0, ts: nowMicros()});
    }
});

const server = http.createServer((req, res) => {
    if (control.handle(req, res)) {
        return;
    }
    if (req.method !== "POST") {
        res.writeHead(400);
        res.end();
        return;
    }
    readBody(req, (err, body) => {
        let messages;
        try {
            if (err) {
                throw err;
            }
            messages = JSON.parse(body);
        } catch (e) {
            res.writeHead(400);
            res.end();
            return;
        }
        (Array.isArray(messages) ? messages : [messages]).forEach(m => control.count(m));
        if (metaConnectIn(messages)) {
            if (control.takeFail()) {
                res.writeHead(control.fail.status, {"Content-Type": "text/plain"});
                res.end("injected failure");
                return;
            }
            if (control.takeHang()) {
                control.holdThen(() => req.socket.destroy());
                return;
            }
        }
        req.body = messages;
        bayeux.handle(req, res);
    });
});
// Held connects must outlive Node's own request timeouts.
server.requestTimeout = 0;
server.headersTimeout = 60000;

exitOnSignals();
server.listen(opts.port, "127.0.0.1", () => announce(server));
