// faye-server.js runs a Faye Bayeux server (long-polling and websocket) on
// 127.0.0.1 for the interop tests.
//
//   node faye-server.js [--port N] [--timeout MS]
//
// The Bayeux endpoint is /faye (websocket upgrades on the same path). When
// listening it prints one line {"port":N} on stdout. See lib/control.js for
// the control endpoints. Faye expires a session after 2 × timeout without a
// connect, so --max-interval is accepted but ignored.
import http from "node:http";
import faye from "faye";
import {Control, announce, exitOnSignals, metaConnectIn, parseOptions, readBody} from "./lib/control.js";

const MOUNT = "/faye";
const opts = parseOptions(process.argv.slice(2), process.env);

const bayeux = new faye.NodeAdapter({mount: MOUNT, timeout: opts.timeout / 1000});
const local = bayeux.getClient();

const control = new Control((channel, data) => {
    local.publish(channel, data);
});

// Counting and websocket fault injection happen in a server extension: every
// message passes through it whatever the transport. Long-polling connects that
// must fail or hang are intercepted at the HTTP layer before Faye sees them.
bayeux.addExtension({
    incoming(message, request, callback) {
        if (request === null) {
            callback(message); // the in-process publisher
            return;
        }
        control.count(message);
        if (message.channel === "/meta/connect" && control.takeHang()) {
            // Arrived over websocket: hold it and then drop the socket.
            const sock = request && request.socket;
            control.holdThen(() => {
                if (sock) {
                    sock.destroy();
                }
            });
            return;
        }
        callback(message);
    },
});

const server = http.createServer((req, res) => {
    if (control.handle(req, res)) {
        return;
    }
    if (req.method !== "POST" || !bayeux.check(req)) {
        bayeux.handle(req, res);
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
        if (metaConnectIn(messages)) {
            // Requests stopped here never reach the counting extension.
            const countAll = () => (Array.isArray(messages) ? messages : [messages]).forEach(m => control.count(m));
            if (control.takeFail()) {
                countAll();
                res.writeHead(control.fail.status, {"Content-Type": "text/plain"});
                res.end("injected failure");
                return;
            }
            if (control.takeHang()) {
                countAll();
                control.holdThen(() => req.socket.destroy());
                return;
            }
        }
        // Hand the already-read body to Faye (its own handle() would read
        // the consumed stream again). _callWithParams is Faye 1.4.x's
        // internal entry point for a parsed POST; the version is pinned.
        req.originalUrl = req.url;
        req.body = body;
        bayeux._callWithParams(req, res, new URLSearchParams({message: body}));
    });
});
// Only upgrades go to Faye directly; plain requests pass through the handler
// above so that faults can be injected.
server.on("upgrade", (req, socket, head) => {
    if (bayeux.check(req)) {
        bayeux.handleUpgrade(req, socket, head);
    } else {
        socket.destroy();
    }
});
server.requestTimeout = 0;
server.headersTimeout = 60000;

exitOnSignals();
// The in-process publisher handshakes lazily and would reorder the first
// messages published while it does; make it connect before announcing.
local.publish("/_warmup", {}).then(() => {
    server.listen(opts.port, "127.0.0.1", () => announce(server));
}, e => {
    process.stderr.write("faye warm-up failed: " + e + "\n");
    process.exit(1);
});
