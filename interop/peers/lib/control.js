// Shared plumbing for the interop peer servers: command-line options, the
// /_control/* side endpoint, fault injection state and statistics.
//
// Control endpoints (all answer JSON):
//   POST /_control/publish          body {channel, count, data}: publishes
//        `count` messages {seq: i, ts: <epoch microseconds>, ...data}
//        server-side, in order. Answers {"published": count}.
//   POST /_control/hang-connects?ms=M&n=K  the next K /meta/connect messages
//        are held for M ms and then their connection is dropped unanswered.
//   POST /_control/fail-connects?status=S&n=K  the next K long-polling
//        requests carrying a /meta/connect are answered with HTTP status S.
//   POST /_control/reset            clears pending faults.
//   GET  /_control/stats            counters of what the peer has seen.

export const CONTROL_PREFIX = "/_control/";

// parseOptions reads --port, --timeout (ms) and --max-interval (ms) from argv,
// falling back to PORT, BAYEUX_TIMEOUT_MS and BAYEUX_MAX_INTERVAL_MS.
export function parseOptions(argv, env) {
    const opts = {
        port: Number(env.PORT || 0),
        timeout: Number(env.BAYEUX_TIMEOUT_MS || 2000),
        maxInterval: Number(env.BAYEUX_MAX_INTERVAL_MS || 10000),
    };
    for (let i = 0; i < argv.length; i++) {
        const next = () => {
            if (i + 1 >= argv.length) {
                throw new Error("missing value for " + argv[i]);
            }
            return argv[++i];
        };
        switch (argv[i]) {
            case "--port": opts.port = Number(next()); break;
            case "--timeout": opts.timeout = Number(next()); break;
            case "--max-interval": opts.maxInterval = Number(next()); break;
            default: throw new Error("unknown argument " + argv[i]);
        }
    }
    for (const [k, v] of Object.entries(opts)) {
        if (!Number.isFinite(v) || v < 0) {
            throw new Error("invalid " + k + ": " + v);
        }
    }
    return opts;
}

// nowMicros returns the wall clock in microseconds since the Unix epoch
// (fractional), comparable with Go's time.Now().UnixMicro().
export function nowMicros() {
    return (performance.timeOrigin + performance.now()) * 1000;
}

// Control holds fault state and counters shared by the HTTP front end and the
// Bayeux extensions of a peer.
export class Control {
    constructor(publish) {
        this.publish = publish; // (channel, data) => void
        this.hang = {n: 0, ms: 0};
        this.fail = {n: 0, status: 500};
        this.stats = {
            handshakes: 0, connects: 0, subscribes: 0, unsubscribes: 0,
            disconnects: 0, publishes: 0, hungConnects: 0, failedConnects: 0,
        };
        this.held = new Set(); // timers of hung connects, cleared on exit
    }

    // count records one incoming Bayeux message.
    count(message) {
        switch (message && message.channel) {
            case "/meta/handshake": this.stats.handshakes++; break;
            case "/meta/connect": this.stats.connects++; break;
            case "/meta/subscribe": this.stats.subscribes++; break;
            case "/meta/unsubscribe": this.stats.unsubscribes++; break;
            case "/meta/disconnect": this.stats.disconnects++; break;
            default: this.stats.publishes++; break;
        }
    }

    // takeHang reports whether the next connect must hang (consuming one).
    takeHang() {
        if (this.hang.n <= 0) {
            return false;
        }
        this.hang.n--;
        this.stats.hungConnects++;
        return true;
    }

    // takeFail reports whether the next long-polling connect must fail.
    takeFail() {
        if (this.fail.n <= 0) {
            return false;
        }
        this.fail.n--;
        this.stats.failedConnects++;
        return true;
    }

    // holdThen runs fn after the hang period.
    holdThen(fn) {
        const timer = setTimeout(() => {
            this.held.delete(timer);
            fn();
        }, this.hang.ms);
        this.held.add(timer);
    }

    // handle serves a /_control/ request; it reports whether it did.
    handle(req, res) {
        const url = new URL(req.url, "http://localhost");
        if (!url.pathname.startsWith(CONTROL_PREFIX)) {
            return false;
        }
        const what = url.pathname.slice(CONTROL_PREFIX.length);
        const reply = (status, obj) => {
            res.writeHead(status, {"Content-Type": "application/json"});
            res.end(JSON.stringify(obj));
        };
        const intParam = (name, dft) => {
            const v = url.searchParams.get(name);
            return v === null ? dft : Number.parseInt(v, 10);
        };
        readBody(req, (err, body) => {
            if (err) {
                reply(400, {error: String(err)});
                return;
            }
            try {
                if (req.method === "GET" && what === "stats") {
                    reply(200, this.stats);
                    return;
                }
                if (req.method !== "POST") {
                    reply(405, {error: "method not allowed"});
                    return;
                }
                switch (what) {
                    case "publish": {
                        const p = JSON.parse(body || "{}");
                        if (typeof p.channel !== "string" || !p.channel.startsWith("/")) {
                            reply(400, {error: "channel required"});
                            return;
                        }
                        const n = Number.isInteger(p.count) ? p.count : 1;
                        for (let i = 0; i < n; i++) {
                            this.publish(p.channel, Object.assign({}, p.data || {}, {seq: i, ts: nowMicros()}));
                        }
                        reply(200, {published: n});
                        return;
                    }
                    case "hang-connects":
                        this.hang = {n: intParam("n", 1), ms: intParam("ms", 30000)};
                        reply(200, this.hang);
                        return;
                    case "fail-connects":
                        this.fail = {n: intParam("n", 1), status: intParam("status", 500)};
                        reply(200, this.fail);
                        return;
                    case "reset":
                        this.hang = {n: 0, ms: 0};
                        this.fail = {n: 0, status: 500};
                        reply(200, {});
                        return;
                    default:
                        reply(404, {error: "unknown control " + what});
                }
            } catch (e) {
                reply(400, {error: String(e)});
            }
        });
        return true;
    }
}

// readBody collects a request body as a string.
export function readBody(req, cb) {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", chunk => { body += chunk; });
    req.on("end", () => cb(null, body));
    req.on("error", e => cb(e));
}

// metaConnectIn reports whether a parsed Bayeux request body carries a
// /meta/connect message.
export function metaConnectIn(messages) {
    const list = Array.isArray(messages) ? messages : [messages];
    return list.some(m => m && m.channel === "/meta/connect");
}

// announce prints the ready line the Go harness waits for.
export function announce(server) {
    process.stdout.write(JSON.stringify({port: server.address().port}) + "\n");
}

// exitOnSignals closes the process promptly on SIGTERM/SIGINT.
export function exitOnSignals() {
    for (const sig of ["SIGTERM", "SIGINT"]) {
        process.on(sig, () => process.exit(0));
    }
}
