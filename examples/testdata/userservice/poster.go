// Package userservice is a user's service tested with omnitest: it publishes
// a Facebook post and reports GWS's verdict.
package userservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/omnisdk/omni"
)

// ErrRejected is a post GWS accepted and then reported as failed.
var ErrRejected = errors.New("userservice: post rejected")

// Poster publishes posts on one page through one queue.
type Poster struct {
	Client *omni.Client
	Page   string
	Queue  string
}

// Publish sends text as interaction id and waits for its outcome.
func (p *Poster) Publish(ctx context.Context, id, text string) (int64, error) {
	ev, err := p.Client.Facebook.SendAndWait(ctx, id, omni.FacebookSend{QueuePath: p.Queue, From: p.Page, Message: text})
	var failed *omni.OperationError
	if errors.As(err, &failed) {
		return failed.ReferenceID, fmt.Errorf("%w: %s", ErrRejected, failed.Message)
	}
	if err != nil {
		return 0, err
	}
	return ev.ReferenceID, nil
}
