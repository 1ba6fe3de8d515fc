package omnitest

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// Every Route constant the package declares is served: a route left out of
// routeTable made Inject and Script refuse it as unknown and the journal
// record its GWS answers without their statusCode and referenceId.
func TestEveryRouteConstantIsRegistered(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var names []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, sp := range g.Specs {
				vs := sp.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Route" {
					continue
				}
				for _, n := range vs.Names {
					names = append(names, n.Name)
				}
			}
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d Route constants: %v", len(names), names)
	}
	served := Routes()
	for _, r := range []Route{RouteAgentChannel, RouteAgentChannels, RouteInteractionCollection} {
		if !slices.Contains(served, r) {
			t.Errorf("%q is not among Routes(): %v", r, served)
		}
	}
	if want := len(names) - 1; len(served) != want { // RouteAny is not served
		t.Errorf("Routes() has %d routes, the package declares %d Route constants besides RouteAny: %v\n%v", len(served), want, served, names)
	}
}

// The lifecycle's routes answer in GWS's shape, so the journal records their
// statusCode and referenceId, and they take faults like the other routes.
func TestJournalRecordsLifecycleAnswers(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx := context.Background()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{AgentChannelFacebook, AgentChannelTwitter}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Agent.Ready(ctx, AgentChannelTwitter); err != nil {
		t.Fatal(err)
	}
	// The client may hold the answer before the journal has it: wait for it.
	wctx0, cancel0 := context.WithTimeout(ctx, guard)
	defer cancel0()
	if r, err := srv.WaitRequest(wctx0, ByRoute(RouteAgentChannel)); err != nil || r.GWSCode != 0 {
		t.Errorf("Ready on one channel: journal entry with GWS code %d, %v; want 0", r.GWSCode, err)
	}
	res, err := c.Twitter.Create(ctx, omni.TwitterCreate{QueuePath: "/queues/out"})
	if err != nil {
		t.Fatal(err)
	}
	if res.ReferenceID == 0 {
		t.Fatal("Create answered no referenceId")
	}
	wctx, cancel := context.WithTimeout(ctx, guard)
	defer cancel()
	r, err := srv.WaitRequest(wctx, ByReferenceID(res.ReferenceID))
	if err != nil {
		t.Fatalf("WaitRequest(ByReferenceID(%d)) after Twitter.Create: %v", res.ReferenceID, err)
	}
	if r.Route != RouteInteractionCollection || r.GWSCode != 0 {
		t.Errorf("journal entry: route %q, GWS code %d", r.Route, r.GWSCode)
	}
	srv.Inject(RouteAgentChannel, Status(400))
	if err := c.Agent.NotReady(ctx, AgentChannelTwitter); err == nil {
		t.Error("NotReady answered 400 by a fault: no error")
	}
	if f := srv.PendingFaults(); len(f) != 0 {
		t.Errorf("the fault on RouteAgentChannel was not taken: %v", f)
	}
	if r, err := srv.WaitRequest(wctx0, ByRoute(RouteAgentChannel), ByStatus(400)); err != nil || r.GWSCode <= 0 {
		t.Errorf("the faulted answer's journal entry: GWS code %d, %v", r.GWSCode, err)
	}
}
