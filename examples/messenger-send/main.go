// Command messenger-send sends one Facebook Messenger message.
//
//	go run ./examples/messenger-send -type TEXT -text "Hello!"
//	go run ./examples/messenger-send -type IMAGE -url https://example.com/a.png
//	go run ./examples/messenger-send -type TEMPLATE -text "Pick one" -buttons "Yes=YES,Docs=https://example.com"
//	go run ./examples/messenger-send -type SENDER_ACTION -action TYPING_ON
//
// Without OMNI_MESSENGER_URL (and OMNI_BASE_URL) it runs against the
// in-process simulator.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "messenger-send:", err)
		os.Exit(1)
	}
}

// run does the work; errors return through it, so deferred cleanup (the
// simulator, the client) always runs.
func run() error {
	typ := flag.String("type", "TEXT", "TEXT, IMAGE, VIDEO, AUDIO, FILE, TEMPLATE or SENDER_ACTION")
	text := flag.String("text", "Hello, World!", "text (TEXT, TEMPLATE)")
	url := flag.String("url", "https://example.com/img/shirt.png", "media URL (IMAGE, VIDEO, AUDIO, FILE)")
	buttons := flag.String("buttons", "Yes=YES,Docs=https://example.com/docs", "TEMPLATE buttons: title=payload or title=http(s) URL, comma separated")
	action := flag.String("action", "MARK_SEEN", "SENDER_ACTION: MARK_SEEN, TYPING_ON or TYPING_OFF")
	flag.Parse()

	msg, err := build(omni.MessageType(strings.ToUpper(*typ)), *text, *url, *buttons, omni.Action(*action))
	if err != nil {
		return err
	}
	env, err := setup.New()
	if err != nil {
		return err
	}
	defer env.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := env.Client.Messenger.SendSingle(ctx, omni.SingleMessage{From: env.AppKey, To: env.UserKey, Message: msg})
	if err != nil {
		return err
	}
	fmt.Printf("sent %s: messageId=%s status=%s/%s\n", msg.Type(), out.MessageID, out.Status.GroupID, out.Status.Name)
	return nil
}

func build(typ omni.MessageType, text, url, buttons string, action omni.Action) (omni.Message, error) {
	switch typ {
	case omni.TypeText:
		return omni.TextMessage(text), nil
	case omni.TypeImage, omni.TypeVideo, omni.TypeAudio, omni.TypeFile:
		return omni.Media{Kind: typ, URL: url}, nil
	case omni.TypeSenderAction:
		return omni.SenderActionMessage(action), nil
	case omni.TypeTemplate:
		var bs []omni.Button
		for _, spec := range strings.Split(buttons, ",") {
			title, value, ok := strings.Cut(spec, "=")
			if !ok {
				return nil, fmt.Errorf("button %q: want title=payload or title=URL", spec)
			}
			if strings.HasPrefix(value, "http://") || strings.HasPrefix(value, "https://") {
				bs = append(bs, omni.URLButton(title, value))
			} else {
				bs = append(bs, omni.PostbackButton(title, value))
			}
		}
		return omni.ButtonTemplate(text, bs...), nil
	}
	return nil, fmt.Errorf("unknown -type %q", typ)
}
