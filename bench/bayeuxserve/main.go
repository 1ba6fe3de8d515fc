// Command bayeuxserve runs the simulator's Bayeux server (internal/bayeuxsrv)
// as its own process for the cross-language benchmark's ceiling rows
// (interop/bench_ceiling_test.go): both readers then talk to it over real
// HTTP and websocket, and its CPU is not counted in theirs.
//
//	bayeuxserve [-port 0] [-timeout 30s]
//
// It serves Bayeux at /cometd on 127.0.0.1 (websocket and long-polling) and,
// like the Node peers, POST /_control/publish with {"channel","count","data"}:
// it publishes count messages on channel server-side, each with data plus
// "seq" (0..count-1) and "ts" (publish time, microseconds since the Unix
// epoch), and answers {"published":count}. Once listening it prints
// {"port":N} on stdout; it exits on SIGTERM or SIGINT.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/omnisdk/omni/internal/bayeuxsrv"
)

func main() {
	port := flag.Int("port", 0, "TCP port on 127.0.0.1 (0: any free port)")
	timeout := flag.Duration("timeout", 30*time.Second, "advice.timeout: how long a /meta/connect is held")
	flag.Parse()
	if err := run(*port, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "bayeuxserve:", err)
		os.Exit(1)
	}
}

func run(port int, timeout time.Duration) error {
	// MaxQueue above the largest burst: the benchmark must not lose messages
	// to the server's own overflow policy.
	bs := bayeuxsrv.New(bayeuxsrv.Options{Timeout: timeout, MaxInterval: 2 * timeout, MaxQueue: 1 << 20,
		MaxMessageSize: 64 << 20})
	defer bs.Close()
	mux := http.NewServeMux()
	mux.Handle("/cometd", bs)
	mux.Handle("/cometd/", bs) // the JS client appends the message type (/cometd/handshake, …)
	mux.HandleFunc("POST /_control/publish", func(w http.ResponseWriter, r *http.Request) { publish(bs, w, r) })
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Printf("{\"port\":%d}\n", ln.Addr().(*net.TCPAddr).Port)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	select {
	case <-stop:
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	bs.Close() // ends held connects and websockets, which Shutdown does not wait for
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return srv.Shutdown(ctx)
}

// publish serves /_control/publish.
func publish(bs *bayeuxsrv.Server, w http.ResponseWriter, r *http.Request) {
	var req struct {
		Channel string         `json:"channel"`
		Count   int            `json:"count"`
		Data    map[string]any `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Count < 0 {
		http.Error(w, "want {\"channel\":string,\"count\":n≥0,\"data\":object}", http.StatusBadRequest)
		return
	}
	// The data of every message is req.Data's members plus seq and ts,
	// written by hand: the publishing loop is the server's side of the
	// measured burst and must stay far faster than the readers.
	rest, err := json.Marshal(req.Data)
	if err != nil || len(req.Data) == 0 {
		rest = []byte("{}")
	}
	var data []byte
	for i := range req.Count {
		data = append(data[:0], `{"seq":`...)
		data = strconv.AppendInt(data, int64(i), 10)
		data = append(data, `,"ts":`...)
		data = strconv.AppendInt(data, time.Now().UnixMicro(), 10)
		if len(rest) > 2 {
			data = append(data, ',')
			data = append(data, rest[1:]...)
		} else {
			data = append(data, '}')
		}
		bs.Publish(req.Channel, json.RawMessage(data))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"published\":%d}\n", req.Count)
}
