package faultmatrix

import (
	"io"
	"net"
	"sync"
	"testing"
)

// proxy is a TCP proxy in front of the simulator that can cut the network
// without the server noticing anything but closed connections: DropAll
// closes every live connection, Blackhole swallows what the server sends
// (the server believes it delivered), Refuse resets the next n connections.
type proxy struct {
	ln       net.Listener
	target   string
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	refuse   int
	blackhol bool
	accepted int
	wg       sync.WaitGroup
}

func newProxy(t testing.TB, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	return p
}

// Addr is the proxy's host:port.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.accepted++
		if p.refuse > 0 {
			p.refuse--
			p.mu.Unlock()
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // RST, as a refused or reset connection
			}
			_ = c.Close()
			continue
		}
		p.mu.Unlock()
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(up, c, false)
		go p.pipe(c, up, true)
	}
}

// pipe copies src to dst; fromServer marks the direction Blackhole cuts.
func (p *proxy) pipe(dst, src net.Conn, fromServer bool) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			drop := fromServer && p.blackhol
			p.mu.Unlock()
			if !drop {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					err = werr
				}
			}
		}
		if err != nil {
			if err != io.EOF {
				_ = src.Close()
			}
			_ = dst.Close()
			_ = src.Close()
			p.mu.Lock()
			delete(p.conns, src)
			delete(p.conns, dst)
			p.mu.Unlock()
			return
		}
	}
}

// DropAll closes every live connection (both sides).
func (p *proxy) DropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
	}
}

// Blackhole starts or stops swallowing server-to-client bytes.
func (p *proxy) Blackhole(on bool) {
	p.mu.Lock()
	p.blackhol = on
	p.mu.Unlock()
}

// Refuse resets the next n accepted connections.
func (p *proxy) Refuse(n int) {
	p.mu.Lock()
	p.refuse = n
	p.mu.Unlock()
}

// Refusing reports how many refusals are still pending.
func (p *proxy) Refusing() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.refuse
}

func (p *proxy) close() {
	_ = p.ln.Close()
	p.DropAll()
	p.wg.Wait()
}
