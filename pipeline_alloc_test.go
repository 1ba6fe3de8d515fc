package omni

import "testing"

// A valid message's validation allocates nothing: the ValidationError each
// Validate collects into stays on its stack, and nest returns early for a
// nested nil error (the REST send profile showed three allocations per
// SendSingle here). Allocation counts do not depend on timing.
func TestValidateValidMessageAllocatesNothing(t *testing.T) {
	m := SingleMessage{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
		Message: TextMessage("Hello, World!")}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { _ = m.Validate() }); n != 0 {
		t.Errorf("SingleMessage.Validate of a valid message: %v allocations, want 0", n)
	}
}

// The error a Validate returns is still the full *ValidationError.
func TestValidateInvalidMessageStillReportsEveryField(t *testing.T) {
	err := SingleMessage{Message: TextMessage("")}.Validate()
	ve, ok := err.(*ValidationError)
	if !ok || len(ve.Fields) != 3 {
		t.Fatalf("Validate() = %#v, want a *ValidationError naming from, to and message.text", err)
	}
	for i, want := range []string{"from", "to", "message.text"} {
		if ve.Fields[i].Field != want {
			t.Errorf("field %d = %q, want %q", i, ve.Fields[i].Field, want)
		}
	}
}
