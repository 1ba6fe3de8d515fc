package omni

// Version is the SDK version, sent in the default User-Agent "omni-go/<Version>".
const Version = "0.1.0"
