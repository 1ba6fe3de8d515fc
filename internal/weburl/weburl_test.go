package weburl

import "testing"

func TestValid(t *testing.T) {
	for s, want := range map[string]bool{
		"www.infobip.com":                         true, // the vendor's own example
		"www.infobip.com/path?q=1":                true,
		"https://petersapparel.com/img/shirt.png": true,
		"http://127.0.0.1:8080/x":                 true,
		"http://[::1]/x":                          true,
		"":                                        false,
		"hello":                                   false,
		"not a url":                               false,
		"/img.png":                                false,
		"ftp://x.test/a":                          false,
		"javascript:alert(1)":                     false,
		"mailto:a@b.test":                         false,
		"https://":                                false,
		"https://my_bucket.s3.amazonaws.com/a.png": true, // DNS and browsers take underscores
		"my_bucket.s3.amazonaws.com/a.png":         true,
		"https://bad host.test":                    false,
		"https://-bad.test/":                       false,
		"www..infobip.com":                         false,
		"user:pass@www.infobip.com":                false,
		"www.infobip.com:8080":                     true,
		"www.infobip.com:8080/x":                   true,
		"localhost:3000":                           true,
		"http://localhost:3000/x":                  true,
		"bücher.de":                                true,
		"https://bücher.de/x":                      true,
		"javascript:1":                             false,
		"www.infobip.com:":                         false,
		"www.infobip.com:99999":                    false,
		"https://h.test:0/":                        false,
		"https://u@h.test/":                        false,
		"data:text/html,x":                         false,
		"tel:+123":                                 false,
		"bücher":                                   false,
	} {
		if got := Valid(s); got != want {
			t.Errorf("Valid(%q) = %v, want %v", s, got, want)
		}
	}
}
