package omni

import "strconv"

// StatusCode is the statusCode of a GWS response envelope. 0 is success;
// every other value is an error and the request changed nothing.
type StatusCode int

// The GWS status codes. Servers before 8.5.1 only send 0 to 6.
const (
	StatusSuccess          StatusCode = 0
	StatusMissingParameter StatusCode = 1
	StatusInvalidState     StatusCode = 2
	StatusForbidden        StatusCode = 3
	StatusInternalError    StatusCode = 4
	StatusNoPermission     StatusCode = 5
	StatusNotFound         StatusCode = 6
	StatusPartialSuccess   StatusCode = 7
	StatusPasswordChange   StatusCode = 8
	StatusIncomplete       StatusCode = 9
	StatusInputValidation  StatusCode = 10
	StatusReadOnly         StatusCode = 11
	StatusCannotRetrieve   StatusCode = 12
	StatusCannotCreate     StatusCode = 13
	StatusCannotDelete     StatusCode = 14
	StatusCannotUpdate     StatusCode = 15
	StatusCannotAssign     StatusCode = 16
	StatusCannotUnassign   StatusCode = 17
	StatusAlreadyExists    StatusCode = 18
	StatusAlreadyInUse     StatusCode = 19
	StatusNotAuthenticated StatusCode = 20
)

var statusNames = [...]string{
	"success", "required parameter missing", "parameter not valid for the current state",
	"operation forbidden", "internal error", "no permission", "resource not found",
	"partial success", "password change demanded", "processing incomplete",
	"input validation error", "read-only property", "unable to retrieve resource",
	"unable to create resource", "unable to delete resource", "unable to update resource",
	"unable to assign resource", "unable to unassign resource", "resource already exists",
	"resource already in use", "user not authenticated",
}

// String names the code; an unknown code reads "statusCode N".
func (s StatusCode) String() string {
	if s.known() {
		return statusNames[s]
	}
	return "statusCode " + strconv.Itoa(int(s))
}

// known reports whether the code is one the GWS documentation names.
func (s StatusCode) known() bool { return s >= 0 && int(s) < len(statusNames) }
