package bayeuxsrv_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/omnisdk/omni/internal/bayeuxsrv"
)

func Example() {
	srv := bayeuxsrv.New(bayeuxsrv.Options{})
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()

	body := `[{"id":"1","channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"]}]`
	resp, err := http.Post(hs.URL, "application/json", strings.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	var replies []struct {
		ID         string `json:"id"`
		Successful bool   `json:"successful"`
		Version    string `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&replies); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(replies[0].ID, replies[0].Successful, replies[0].Version, srv.SessionCount())
	// Output: 1 true 1.0 1
}
