package omni

import (
	"context"
	"net/url"
	"strings"
)

// The private-messaging operations beside those in facebooksessions.go
// (POST {base}/me/facebooksessions/{id}); outcomes arrive on
// /v2/me/facebooksession.

func (s *FacebookSessionService) target() target {
	return target{prefix: s.client.cfg.sessionPath, channel: ChannelFacebookSession}
}

// Reject declines the offered session id; GWS offers it to another agent. Its
// notification shows state Completed and no capabilities key.
func (s *FacebookSessionService) Reject(ctx context.Context, id string) (*OperationResult, error) {
	return s.client.simple(ctx, s.target(), id, OpReject)
}

// FacebookConsult is the request of FacebookSessionService.Consult: one of
// TargetURI and TargetPath is required.
type FacebookConsult struct {
	// TargetURI is the full URI of the user to consult, or of the queue to
	// consult through.
	TargetURI string
	// TargetPath is the path of the user or queue, such as "/users/<id>".
	TargetPath string
}

// Consult brings another agent into the session without the customer
// seeing them (give TargetURI or TargetPath, not both); afterwards the originator may Transfer to them, or they
// Leave. Consulting through a queue needs InternalConferenceInvite in the
// InteractionSubtype business attribute.
func (s *FacebookSessionService) Consult(ctx context.Context, id string, r FacebookConsult) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpConsult, TargetURI: r.TargetURI, TargetPath: r.TargetPath},
		func(v *ValidationError) {
			switch {
			case r.TargetURI == "" && r.TargetPath == "":
				v.add("targetUri", "must be given when targetPath is empty")
			case r.TargetURI != "" && r.TargetPath != "":
				// The page takes one target or the other; which wins
				// when both are sent is not documented.
				v.add("targetUri", "must be empty when targetPath is given")
			}
			checkAbsoluteURI(v, "targetUri", r.TargetURI)
		})
}

// RemoveParticipantFromConference removes the agent at targetURI (a full
// user URI) from the consultation. Only the agent visible to all may do it.
func (s *FacebookSessionService) RemoveParticipantFromConference(ctx context.Context, id, targetURI string) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpRemoveParticipantFromConference, TargetURI: targetURI},
		func(v *ValidationError) {
			required(v, "targetUri", targetURI)
			checkAbsoluteURI(v, "targetUri", targetURI)
		})
}

// CompleteInQueue ends the session and places it in the queue named
// queueName (a queue name such as "PostProcessingQueue", not a path).
func (s *FacebookSessionService) CompleteInQueue(ctx context.Context, id, queueName string) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false, &opBody{OperationName: OpComplete, QueueName: queueName},
		func(v *ValidationError) { required(v, "queueName", queueName) })
}

// AddComment sets the session's comment (PropertiesUpdated).
func (s *FacebookSessionService) AddComment(ctx context.Context, id, comment string) (*OperationResult, error) {
	return s.client.addComment(ctx, s.target(), id, comment)
}

// AttachUserData adds keys to the session's userData.
func (s *FacebookSessionService) AttachUserData(ctx context.Context, id string, data map[string]any) (*OperationResult, error) {
	return s.client.userDataOp(ctx, s.target(), id, OpAttachUserData, data)
}

// UpdateUserData overwrites the given keys of the session's userData.
func (s *FacebookSessionService) UpdateUserData(ctx context.Context, id string, data map[string]any) (*OperationResult, error) {
	return s.client.userDataOp(ctx, s.target(), id, OpUpdateUserData, data)
}

// DeleteUserData removes keys from the session's userData.
func (s *FacebookSessionService) DeleteUserData(ctx context.Context, id string, keys ...string) (*OperationResult, error) {
	return s.client.deleteUserData(ctx, s.target(), id, keys)
}

// SetDisposition records the disposition in the session's userData.
func (s *FacebookSessionService) SetDisposition(ctx context.Context, id string, d Disposition) (*OperationResult, error) {
	return s.client.setDisposition(ctx, s.target(), id, d)
}

// TemplateUsage is the request of ReportResponseTemplateUsage.
type TemplateUsage struct {
	// ResponseTemplateID identifies the standard response. Required.
	ResponseTemplateID string
	// ResponseType says how it was used; empty leaves the server's default,
	// SystemAutoResponse. The parameter table names it responseType, the
	// documents' sample usageType; the SDK sends responseType.
	ResponseType ResponseType
}

// ReportResponseTemplateUsage records, for reporting, that a standard
// response was used in the session. The documents say the server sends no
// notification for it.
func (s *FacebookSessionService) ReportResponseTemplateUsage(ctx context.Context, id string, r TemplateUsage) (*OperationResult, error) {
	return s.client.run(ctx, s.target(), id, false,
		&opBody{OperationName: OpReportResponseTemplateUsage, ResponseTemplateID: r.ResponseTemplateID, ResponseType: r.ResponseType},
		func(v *ValidationError) { required(v, "responseTemplateId", r.ResponseTemplateID) })
}

// checkAbsoluteURI rejects a value that is set but not an absolute http(s) URI.
func checkAbsoluteURI(v *ValidationError, field, value string) {
	if value == "" {
		return
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(value, " \t") {
		v.add(field, "must be an absolute http or https URI")
	}
}
