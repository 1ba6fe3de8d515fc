package omnitest

import (
	"errors"
	"testing"
)

// String shows what was asked: Times(-1) is not Always.
func TestTimesStringShowsWhatWasAsked(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Status(500).Times(-1).String(), "Status(500).Times(-1)"},
		{DropMessage().Times(-1).String(), "DropMessage().Times(-1)"},
		{Sent().Times(-1).String(), "Sent().Times(-1)"},
		{Status(500).Always().String(), "Status(500).Always()"},
		{Failed("x").Times(2).String(), `Failed("x").Times(2)`},
	} {
		if tc.got != tc.want {
			t.Errorf("String() = %s, want %s", tc.got, tc.want)
		}
	}
}

// Times and Always do not combine, in either order, for every builder; each
// alone still works.
func TestTimesAndAlwaysDoNotCombine(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const afterAlways = "Times(2) with Always(): use one of them (Always never runs out)"
	const afterTimes = "Always() with Times(n): use one of them (Always never runs out)"
	reason := func(err error) string {
		var fe *FaultError
		if !errors.As(err, &fe) {
			return "accepted"
		}
		return fe.Reason
	}
	for _, tc := range []struct {
		what string
		err  error
		want string
	}{
		{"Status(500).Always().Times(2)", s.Inject(RouteFacebookSend, Status(500).Always().Times(2)), afterAlways},
		{"Status(500).Times(2).Always()", s.Inject(RouteFacebookSend, Status(500).Times(2).Always()), afterTimes},
		{"DropMessage().Always().Times(2)", s.InjectMessage(ChannelFacebook, DropMessage().Always().Times(2)), afterAlways},
		{"DropMessage().Times(2).Always()", s.InjectMessage(ChannelFacebook, DropMessage().Times(2).Always()), afterTimes},
		{"Sent().Always().Times(2)", s.Script(RouteFacebookSend, Sent().Always().Times(2)), afterAlways},
		{"Sent().Times(2).Always()", s.Script(RouteFacebookSend, Sent().Times(2).Always()), afterTimes},
		{"Sent().Then(Sent().Times(2))", s.Script(RouteFacebookSend, Sent().Then(Sent().Times(2))),
			"Times and Always count the whole outcome: call them after Then, not inside it"},
	} {
		if got := reason(tc.err); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.what, got, tc.want)
		}
	}
	if p := append(s.PendingFaults(), s.PendingMessageFaults()...); len(p) != 0 || len(s.PendingScripts()) != 0 {
		t.Fatalf("refused ones were queued: %v %v", p, s.PendingScripts())
	}
	s.Inject(RouteFacebookSend, Status(500).Always())
	s.Inject(RouteFacebookSend, Status(503).Times(2))
	if p := s.PendingFaults(); len(p) != 2 || p[0].Left != always || p[1].Left != 2 {
		t.Fatalf("pending %+v, want Always (-1) and 2", p)
	}
}

// A meta channel carries the protocol, never a notification: a message
// fault on it can never apply.
func TestInjectMessageRefusesMetaChannels(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, ch := range []string{"/meta/connect", "/meta/subscribe", "/meta"} {
		err := s.InjectMessage(ch, DropMessage())
		want := `omnitest: InjectMessage("` + ch + `", DropMessage()): a meta channel carries the protocol, not notifications: message faults apply to notification channels such as /v2/me/facebook`
		if !errors.Is(err, ErrInvalidFault) || err.Error() != want {
			t.Errorf("InjectMessage(%q) = %v\nwant %s", ch, err, want)
		}
	}
	if p := s.PendingMessageFaults(); len(p) != 0 {
		t.Fatalf("queued: %v", p)
	}
}

// Notify with a nil build was accepted and panicked in the handler of the
// send that used it.
func TestNotifyNilRefused(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Script(RouteFacebookSend, Notify("mine", nil))
	want := `omnitest: Script("gws.facebook.send", Notify(mine)): Notify needs a build function, not nil`
	if !errors.Is(err, ErrInvalidFault) || err.Error() != want {
		t.Fatalf("Script = %v\nwant %s", err, want)
	}
	if p := s.PendingScripts(); len(p) != 0 {
		t.Fatalf("queued: %v", p)
	}
}
