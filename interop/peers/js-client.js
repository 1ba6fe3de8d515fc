// js-client.js drives the official CometD JavaScript client (cometd +
// cometd-nodejs-client) from the command line, for the interop tests and the
// cross-language benchmark.
//
//   node js-client.js --url URL --channel CH --count N
//        [--transport long-polling|websocket] [--unsubscribe] [--disconnect]
//        [--messages] [--timeout MS]
//
// It handshakes, subscribes to CH, counts N messages and prints one JSON
// object per line on stdout:
//   {"event":"handshake","clientId":..,"transport":..}
//   {"event":"subscribed","channel":..}
//   {"event":"message","channel":..,"data":..}        (with --messages)
//   {"event":"done","received":N,"inOrder":bool,"duplicates":D,"missing":M,
//    "p50":ms,"p99":ms,"msgsPerSec":r,"cpuMicros":us}
//   {"event":"unsubscribed","successful":bool}        (with --unsubscribe)
//   {"event":"disconnected","successful":bool}        (with --disconnect)
//   {"event":"error","message":..}                    (then exit status 1)
//
// Messages whose data carry a numeric "seq" are checked for order, gaps and
// duplicates; a numeric "ts" (epoch microseconds, set by the publisher) gives
// the publish→handler latency percentiles and the throughput; cpuMicros is
// the process's CPU time (user + system, process.cpuUsage) from the
// subscribe reply to the last message. The process
// exits 0 after the last requested step.
import {adapt} from "cometd-nodejs-client";
import {CometD} from "cometd";

function parseArgs(argv) {
    const a = {transport: "", unsubscribe: false, disconnect: false, messages: false, timeout: 60000, count: 1};
    for (let i = 0; i < argv.length; i++) {
        const next = () => {
            if (i + 1 >= argv.length) {
                throw new Error("missing value for " + argv[i]);
            }
            return argv[++i];
        };
        switch (argv[i]) {
            case "--url": a.url = next(); break;
            case "--channel": a.channel = next(); break;
            case "--count": a.count = Number(next()); break;
            case "--transport": a.transport = next(); break;
            case "--timeout": a.timeout = Number(next()); break;
            case "--unsubscribe": a.unsubscribe = true; break;
            case "--disconnect": a.disconnect = true; break;
            case "--messages": a.messages = true; break;
            default: throw new Error("unknown argument " + argv[i]);
        }
    }
    if (!a.url || !a.channel || !Number.isInteger(a.count) || a.count < 0) {
        throw new Error("usage: js-client.js --url URL --channel CH --count N [--transport T] [--unsubscribe] [--disconnect] [--messages] [--timeout MS]");
    }
    return a;
}

function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + "\n");
}

function fail(message) {
    emit({event: "error", message: String(message)});
    process.exit(1);
}

function nowMicros() {
    return (performance.timeOrigin + performance.now()) * 1000;
}

function percentile(sorted, p) {
    if (sorted.length === 0) {
        return 0;
    }
    const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
    return sorted[idx];
}

let args;
try {
    args = parseArgs(process.argv.slice(2));
} catch (e) {
    fail(e.message);
}

adapt();
const cometd = new CometD();
if (args.transport) {
    if (!cometd.getTransportTypes().includes(args.transport)) {
        fail("transport not available: " + args.transport);
    }
    for (const t of cometd.getTransportTypes()) {
        if (t !== args.transport) {
            cometd.unregisterTransport(t);
        }
    }
}
cometd.configure({
    url: args.url,
    logLevel: "warn",
    backoffIncrement: 100,
    maxBackoff: 1000,
});

const guard = setTimeout(() => fail("timeout: received " + received + " of " + args.count), args.timeout);

let received = 0;
let duplicates = 0;
let inOrder = true;
let nextSeq = 0;
const seen = new Set();
const latencies = [];
let firstTs = Infinity;
let lastRecv = 0;
let finished = false;
let handle = null;
let cpuStart = null;

function onMessage(message) {
    const now = nowMicros();
    const data = message.data || {};
    if (typeof data.seq === "number") {
        if (seen.has(data.seq)) {
            duplicates++;
        } else {
            seen.add(data.seq);
        }
        if (data.seq !== nextSeq) {
            inOrder = false;
        }
        nextSeq = data.seq + 1;
    }
    if (typeof data.ts === "number") {
        latencies.push((now - data.ts) / 1000);
        firstTs = Math.min(firstTs, data.ts);
    }
    lastRecv = now;
    received++;
    if (args.messages) {
        emit({event: "message", channel: message.channel, data: message.data});
    }
    if (received >= args.count && !finished) {
        finish();
    }
}

function finish() {
    const cpu = process.cpuUsage(cpuStart || undefined);
    finished = true;
    latencies.sort((x, y) => x - y);
    const elapsed = (lastRecv - firstTs) / 1e6;
    const missing = seen.size > 0 ? Math.max(0, args.count - seen.size) : 0;
    emit({
        event: "done",
        received,
        inOrder,
        duplicates,
        missing,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
        msgsPerSec: elapsed > 0 && Number.isFinite(elapsed) ? received / elapsed : 0,
        cpuMicros: cpu.user + cpu.system,
    });
    unsubscribeStep();
}

function unsubscribeStep() {
    if (!args.unsubscribe) {
        disconnectStep();
        return;
    }
    cometd.unsubscribe(handle, reply => {
        emit({event: "unsubscribed", successful: !!reply.successful});
        disconnectStep();
    });
}

function disconnectStep() {
    if (!args.disconnect) {
        clearTimeout(guard);
        process.exit(0);
    }
    cometd.disconnect(reply => {
        emit({event: "disconnected", successful: !!reply.successful});
        clearTimeout(guard);
        process.exit(0);
    });
}

cometd.handshake(reply => {
    if (!reply.successful) {
        fail("handshake failed: " + JSON.stringify(reply));
    }
    const transport = cometd.getTransport();
    emit({event: "handshake", clientId: cometd.getClientId(), transport: transport ? transport.type : ""});
    handle = cometd.subscribe(args.channel, onMessage, sub => {
        if (!sub.successful) {
            fail("subscribe failed: " + JSON.stringify(sub));
        }
        cpuStart = process.cpuUsage();
        emit({event: "subscribed", channel: args.channel});
        if (args.count === 0 && !finished) {
            finish();
        }
    });
});

for (const sig of ["SIGTERM", "SIGINT"]) {
    process.on(sig, () => process.exit(0));
}
