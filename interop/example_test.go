package interop_test

import (
	"fmt"

	"github.com/omnisdk/omni/interop"
)

func ExampleParseJSEvent() {
	e, err := interop.ParseJSEvent([]byte(`{"event":"done","received":1000,"inOrder":true,"p50":1.5,"p99":4.2,"msgsPerSec":20000}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Event, e.Received, e.InOrder)
	// Output: done 1000 true
}
