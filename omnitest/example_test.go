package omnitest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/omnisdk/omni/omnitest"
)

func Example() {
	s, err := omnitest.Start("127.0.0.1:0", omnitest.WithContextPath("/cloud-web"))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	resp, err := http.Post(s.URL()+"/me/facebook/01QQQG2MU214P06D", "application/json", strings.NewReader(
		`{"operationName":"Send","queuePath":"/contacts/c1","facebook":{"from":"page","message":"Hello Facebook!"}}`))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	fmt.Println(s.Requests()[0].Path, s.Requests()[0].Route)
	// Output:
	// 200 {"statusCode":0,"referenceId":1}
	// /cloud-web/api/v2/me/facebook/01QQQG2MU214P06D gws.facebook.send
}
