package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/omnisdk/omni"
)

// The payloads of the buttons and quick replies the bot sends; they come
// back in the user's POSTBACK or quick reply.
const (
	payloadOrderStatus = "ORDER_STATUS"
	payloadAgent       = "AGENT"
	payloadThanks      = "THANKS"
	payloadMore        = "MORE"
)

// bot answers Messenger users through the current Messages API.
type bot struct {
	c      *omni.Client
	sender string // the page

	mu         sync.Mutex
	transcript map[string][]string // user → lines, for the summary
	inbound    int
	replies    int
	seen       int
}

func newBot(c *omni.Client, sender string) *bot {
	return &bot{c: c, sender: sender, transcript: make(map[string][]string)}
}

// handle is the InboundHandler function: it marks the user's message seen
// and answers it. An error makes the webhook answer 500, so Infobip pushes
// the message again.
func (b *bot) handle(ctx context.Context, m omni.InboundMessage) error {
	b.note(m.Sender, "user: "+describe(m.Content))
	replies := []omni.Content{omni.SenderActionContent{Action: omni.MarkSeen}}
	var quick []omni.QuickReply
	switch in := m.Content.(type) {
	case omni.InboundText:
		switch {
		case in.QuickReply != nil && in.QuickReply.Payload == payloadThanks:
			replies = append(replies, omni.TextContent{Text: "You're welcome! Have a nice day."})
		default:
			replies = append(replies,
				omni.TextContent{Text: "Hello! I am the shop's assistant."},
				omni.TemplateContent{Text: "What can I do for you?", Buttons: []omni.Button{
					omni.PostbackButton("Track my order", payloadOrderStatus),
					omni.PostbackButton("Talk to a human", payloadAgent),
					omni.URLButton("Opening hours", "https://shop.example.com/hours"),
				}})
		}
	case omni.InboundPostback:
		switch in.Payload {
		case payloadOrderStatus:
			replies = append(replies, omni.TextContent{Text: "Your order #42 left our warehouse and arrives tomorrow."})
			quick = []omni.QuickReply{omni.TextQuickReply("Thanks!", payloadThanks), omni.TextQuickReply("Something else", payloadMore)}
		case payloadAgent:
			replies = append(replies, omni.TextContent{Text: "An agent will write to you shortly."})
		default:
			replies = append(replies, omni.TextContent{Text: "Sorry, I did not get that."})
		}
	default:
		replies = append(replies, omni.TextContent{Text: "Thanks! I can only read text for now."})
	}
	for i, content := range replies {
		msg := omni.MessengerMessage{Sender: b.sender, Destinations: []omni.Destination{{To: m.Sender}}, Content: content}
		if i == len(replies)-1 {
			msg.QuickReplies = quick
		}
		if _, err := b.c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{msg}}); err != nil {
			return fmt.Errorf("replying to %s: %w", m.Sender, err)
		}
		if content.Type() != omni.ContentSenderAction {
			b.note(m.Sender, "bot:  "+describeOut(content))
		}
	}
	b.mu.Lock()
	b.inbound++
	b.replies += len(replies)
	b.mu.Unlock()
	return nil
}

// handleSeen is the SeenReportHandler function.
func (b *bot) handleSeen(_ context.Context, r omni.SeenReport) error {
	b.mu.Lock()
	b.seen++
	b.mu.Unlock()
	return nil
}

func (b *bot) note(user, line string) {
	b.mu.Lock()
	b.transcript[user] = append(b.transcript[user], line)
	b.mu.Unlock()
}

func describe(c omni.InboundContent) string {
	switch in := c.(type) {
	case omni.InboundText:
		if in.QuickReply != nil {
			return fmt.Sprintf("%q (quick reply %s)", in.Text, in.QuickReply.Payload)
		}
		return fmt.Sprintf("%q", in.Text)
	case omni.InboundPostback:
		return fmt.Sprintf("pressed %q (%s)", in.Title, in.Payload)
	case nil:
		return "(no content)"
	}
	return string(c.Type())
}

func describeOut(c omni.Content) string {
	switch out := c.(type) {
	case omni.TextContent:
		return fmt.Sprintf("%q", out.Text)
	case omni.TemplateContent:
		return fmt.Sprintf("%q with %d buttons", out.Text, len(out.Buttons))
	}
	return string(c.Type())
}
