// Package interop proves the omni CometD client against third-party Bayeux
// servers, and the omnitest simulator against the official CometD JavaScript
// client.
//
// The third-party peers are Node.js programs in the peers directory:
//
//   - peers/cometd-server.js: the CometD project's own Node server
//     (cometd-nodejs-server), long-polling only, Bayeux endpoint /cometd;
//   - peers/faye-server.js: a Faye server, long-polling and websocket,
//     Bayeux endpoint /faye;
//   - peers/js-client.js: the official CometD JavaScript client (cometd +
//     cometd-nodejs-client) driven from the command line.
//
// Both servers expose a side control endpoint (/_control/publish,
// /_control/hang-connects, /_control/fail-connects, /_control/stats) that the
// Go harness in this package drives through [Peer].
//
// The peers need Node.js and their npm dependencies, installed once with
//
//	npm ci --prefix interop/peers
//
// Without them the tests skip, unless CI=true or OMNI_INTEROP=1, in which case
// a missing peer fails the run.
//
// The benchmark comparing the Go client with the JavaScript client on the same
// servers runs only with OMNI_BENCH=1:
//
//	OMNI_BENCH=1 go test -run TestBench -v ./interop/
package interop
