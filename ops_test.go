package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// opCase is one documented operation: the call, the request the document
// shows (method POST, path, body), the HTTP reply it shows and, where the
// page has one, its notification. Each sample's source is in the comment
// beside it ([Sn] of API-FACTS-LIFECYCLE.md), with what was repaired to make
// it valid JSON. "inferred" marks operations without a page, whose body the
// SDK derives by analogy (see the method's doc comment).
type opCase struct {
	name  string
	call  func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error)
	path  string
	body  string
	reply string
	ref   int64
	id    string
	topic string
	// notification is the page's CometD sample ("" when it shows none);
	// check asserts its typed decoding.
	notification string
	check        func(t *testing.T, n omni.Notification)
}

var (
	qContacts = "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d"
	qQueues   = "/queues/995655ec-81a5-46b0-82d0-3f2c5eca263d"
)

// facebookCases are the Facebook post operations.
var facebookCases = []opCase{
	{name: "Facebook.Create", // [S5]; repaired: curly quotes around operationName and Create
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Create(ctx, omni.FacebookCreate{QueuePath: qQueues})
		},
		path: "/api/v2/me/facebook", body: `{"operationName":"Create","queuePath":"` + qQueues + `"}`,
		reply: `{"statusCode":0,"referenceId":10}`, ref: 10, topic: omni.ChannelFacebook,
		notification: `{"facebook":{"capabilities":["Cancel","Send","AddComment","AttachUserData","UpdateUserData",
			"DeleteUserData","SetDisposition","SetInFocus","Transfer"],"facebookType":"Outbound","id":"01QG4HAN88NP400J",
			"state":"Composing","uri":"http://192.168.83.25:8090/api/v2/facebooks/01QG4HAN88NP400J"},
			"messageType":"FacebookStateChangeMessage","notificationType":"StatusChange","referenceId":9}`,
		check: func(t *testing.T, n omni.Notification) {
			f := n.(*omni.FacebookStateChange).Facebook
			if f.ID != "01QG4HAN88NP400J" || f.State != omni.StateComposing || !f.Can(omni.OpSend) || f.Can(omni.OpReply) {
				t.Errorf("facebook = %+v", f)
			}
		}},
	{name: "Facebook.Reply", // [S1]; request repaired: the stray comma after the id in the URL; notification
		// repaired: None -> null, True/False -> true/false, and closed after fqlObject.comments (the stored
		// copy is cut inside fqlObject.pages, which also holds the `830180563704433 L` number)
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Reply(ctx, "01QQQG2MU214P05R", omni.FacebookReply{QueuePath: qContacts})
		},
		path: "/api/v2/me/facebook/01QQQG2MU214P05R", body: `{"operationName":"Reply","queuePath":"` + qContacts + `"}`,
		reply: `{"statusCode":0,"referenceId":42}`, ref: 42, id: "01QQQG2MU214P05R", topic: omni.ChannelFacebook,
		notification: `{"facebook":{"capabilities":["Cancel","Send","AddComment","AttachUserData","UpdateUserData",
			"DeleteUserData","SetDisposition","SetInFocus","Transfer"],"contactId":"0002CaAPEA440026","facebookType":"Outbound",
			"fqlObject":{"applications":{},"columnList":"","comments":{"830185537037269_830632010325955":{"attachment":null,
			"can_comment":true,"can_like":true,"can_remove":true,"columnList":"id,post_id,parent_id,text,time,can_remove,can_comment,can_like,user_likes,is_private,fromid,likes,comment_count,object_id,attachment,text_tags",
			"comment_count":0,"fromid":"1457374047909438","id":"830185537037269_830632010325955","is_private":false,"likes":0,
			"object_id":"830185537037269","parent_id":"0","post_id":"830180563704433_830185537037269","text":"Can you help me?",
			"textTags":[],"time":1433844857,"user_likes":false}}}},
			"messageType":"FacebookStateChangeMessage","notificationType":"StatusChange","referenceId":42}`,
		check: func(t *testing.T, n omni.Notification) {
			f := n.(*omni.FacebookStateChange).Facebook
			if f.FacebookType != "Outbound" || !f.Can(omni.OpSend) || !strings.Contains(string(f.Raw), "Can you help me?") {
				t.Errorf("facebook = %+v", f)
			}
		}},
	{name: "Facebook.Reply with commentId", // [S1] parameter table: commentId (absent from the sample)
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Reply(ctx, "01QQQG2MU214P05R", omni.FacebookReply{QueuePath: qContacts,
				CommentID: "830185537037269_830632010325955", UserData: map[string]any{"Agent": "bot"}})
		},
		path:  "/api/v2/me/facebook/01QQQG2MU214P05R",
		body:  `{"operationName":"Reply","queuePath":"` + qContacts + `","commentId":"830185537037269_830632010325955","userData":{"Agent":"bot"}}`,
		reply: `{"statusCode":0,"referenceId":42}`, ref: 42, id: "01QQQG2MU214P05R", topic: omni.ChannelFacebook},
	{name: "Facebook.Save (inferred)", // no Facebook page: shape of Twitter Save [S16]
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Save(ctx, "01QG4HAN88NP400J", omni.FacebookSave{From: "vitaliy_onv", Message: "Hi saved facebook!"})
		},
		path:  "/api/v2/me/facebook/01QG4HAN88NP400J",
		body:  `{"operationName":"Save","facebook":{"from":"vitaliy_onv","message":"Hi saved facebook!"}}`,
		reply: `{"statusCode":0,"referenceId":40}`, ref: 40, id: "01QG4HAN88NP400J", topic: omni.ChannelFacebook},
	{name: "Facebook.Cancel", // [S7]: operationName only; reply 12
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Cancel(ctx, "01QG4HAN88NP400J")
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400J", body: `{"operationName":"Cancel"}`,
		reply: `{"statusCode":0,"referenceId":12}`, ref: 12, id: "01QG4HAN88NP400J", topic: omni.ChannelFacebook},
	{name: "Facebook.Complete", // [S8]: queuePath and saveLAR optional; reply 45
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Complete(ctx, "01QG4HAN88NP400N", omni.Complete{})
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"Complete"}`,
		reply: `{"statusCode":0,"referenceId":45}`, ref: 45, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
	{name: "Facebook.Complete into a queue", // [S8] parameter table
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Complete(ctx, "01QG4HAN88NP400N", omni.Complete{QueuePath: qQueues, SaveLAR: omni.Bool(true)})
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"Complete","queuePath":"` + qQueues + `","saveLAR":true}`,
		reply: `{"statusCode":0,"referenceId":45}`, ref: 45, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
	{name: "Facebook.Transfer", // [S9] "Transfer to Queue" sample (the to-agent sample sends targetUri)
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.Transfer(ctx, "01QQQG2MU214P05X", "/contacts/5c7c1112-2be4-4108-9fbe-341312585616")
		},
		path:  "/api/v2/me/facebook/01QQQG2MU214P05X",
		body:  `{"operationName":"Transfer","targetPath":"/contacts/5c7c1112-2be4-4108-9fbe-341312585616"}`,
		reply: `{"statusCode":0,"referenceId":89}`, ref: 89, id: "01QQQG2MU214P05X", topic: omni.ChannelFacebook},
	{name: "Facebook.SetDisposition", // [S10]
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.SetDisposition(ctx, "01QG4HAN88NP400J", omni.Disposition{Disposition: "resolved", Key: "DISP_KEY"})
		},
		path:  "/api/v2/me/facebook/01QG4HAN88NP400J",
		body:  `{"operationName":"SetDisposition","dispositionKey":"DISP_KEY","disposition":"resolved"}`,
		reply: `{"statusCode":0,"referenceId":44}`, ref: 44, id: "01QG4HAN88NP400J", topic: omni.ChannelFacebook,
		notification: `{"facebook":{"capabilities":["Cancel","Send","AddComment","AttachUserData","UpdateUserData",
			"DeleteUserData","SetDisposition","SetInFocus","Transfer"],"facebookType":"Outbound","from":"vitaliy_onv",
			"id":"01QG4HAN88NP400J","message":"Hi saved facebook!","state":"Composing","subject":"Hi saved facebook!",
			"uri":"http://192.168.83.25:8090/api/v2/facebooks/01QG4HAN88NP400J","userData":{"DISP_KEY":"resolved",
			"FromAddress":"vitaliy_onv","UserData2":"DATAUPDATE-@123"}},"messageType":"FacebookStateChangeMessage",
			"notificationType":"PropertiesUpdated","referenceId":21}`,
		check: func(t *testing.T, n omni.Notification) {
			ev := n.(*omni.FacebookStateChange)
			if ev.NotificationType != omni.NotificationPropertiesUpdated || ev.Facebook.UserData["DISP_KEY"] != "resolved" {
				t.Errorf("notification = %+v", ev)
			}
		}},
	{name: "Facebook.AddComment (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.AddComment(ctx, "01QG4HAN88NP400N", "I am crazy about my test")
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"AddComment","comment":"I am crazy about my test"}`,
		reply: `{"statusCode":0,"referenceId":34}`, ref: 34, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
	{name: "Facebook.AttachUserData (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.AttachUserData(ctx, "01QG4HAN88NP400N", map[string]any{"UserData2": "DATAUPDATE-@123"})
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"AttachUserData","userData":{"UserData2":"DATAUPDATE-@123"}}`,
		reply: `{"statusCode":0,"referenceId":14}`, ref: 14, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
	{name: "Facebook.UpdateUserData (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.UpdateUserData(ctx, "01QG4HAN88NP400N", map[string]any{"UserData2": 123456789})
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"UpdateUserData","userData":{"UserData2":123456789}}`,
		reply: `{"statusCode":0,"referenceId":16}`, ref: 16, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
	{name: "Facebook.DeleteUserData (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.DeleteUserData(ctx, "01QG4HAN88NP400N", "UserData1")
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"DeleteUserData","keys":["UserData1"]}`,
		reply: `{"statusCode":0,"referenceId":18}`, ref: 18, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
	{name: "Facebook.SetInFocus (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Facebook.SetInFocus(ctx, "01QG4HAN88NP400N")
		},
		path: "/api/v2/me/facebook/01QG4HAN88NP400N", body: `{"operationName":"SetInFocus"}`,
		reply: `{"statusCode":0}`, id: "01QG4HAN88NP400N", topic: omni.ChannelFacebook},
}

// twitterCases are the Tweet operations.
var twitterCases = []opCase{
	{name: "Twitter.Create", // [S14]; reply repaired: trailing comma after referenceId
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Create(ctx, omni.TwitterCreate{QueuePath: qQueues})
		},
		path: "/api/v2/me/tweets", body: `{"operationName":"Create","queuePath":"` + qQueues + `"}`,
		reply: `{"statusCode":0,"referenceId":10}`, ref: 10, topic: omni.ChannelTwitter,
		notification: `{"messageType":"TwitterStateChangeMessage","notificationType":"StatusChange","referenceId":10,
			"twitter":{"capabilities":["Cancel","Send","AddComment","AttachUserData","UpdateUserData","DeleteUserData",
			"SetDisposition","SetInFocus","Transfer"],"id":"01QQQG2MU214P05G","state":"Composing","twitterType":"Outbound",
			"uri":"http://192.168.83.25:8080/api/v2/tweet/01QQQG2MU214P05G"}}`,
		check: func(t *testing.T, n omni.Notification) {
			tw := n.(*omni.TwitterStateChange).Tweet
			if tw.ID != "01QQQG2MU214P05G" || tw.State != omni.StateComposing || tw.TwitterType != "Outbound" || !tw.Can(omni.OpSend) {
				t.Errorf("tweet = %+v", tw)
			}
		}},
	{name: "Twitter.Save without a twitter object", // [S16] first sample; reply repaired: trailing comma
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Save(ctx, "01QQQG2MU214P066", omni.TwitterSave{})
		},
		path: "/api/v2/me/tweets/01QQQG2MU214P066", body: `{"operationName":"Save"}`,
		reply: `{"statusCode":0,"referenceId":40}`, ref: 40, id: "01QQQG2MU214P066", topic: omni.ChannelTwitter,
		notification: `{"messageType":"TwitterStateChangeMessage","notificationType":"TwitterSaved","referenceId":40,
			"twitter":{"capabilities":["Cancel","Send","AddComment","AttachUserData","UpdateUserData","DeleteUserData",
			"SetDisposition","SetInFocus","Transfer"],"id":"01QQQG2MU214P066","state":"Composing","twitterType":"Outbound",
			"uri":"http://192.168.83.25:8080/api/v2/tweet/01QQQG2MU214P066","userData":{"UserData2":123456789}}}`,
		check: func(t *testing.T, n omni.Notification) {
			ev := n.(*omni.TwitterStateChange)
			if ev.NotificationType != omni.NotificationTwitterSaved || ev.Tweet.UserData["UserData2"] != float64(123456789) {
				t.Errorf("notification = %+v", ev)
			}
		}},
	{name: "Twitter.Save with a twitter object", // [S16] second sample: the reply has no referenceId
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Save(ctx, "01QQQG2MU214P069", omni.TwitterSave{From: "vitaliy_onv", Message: "Hello saved twitter!"})
		},
		path:  "/api/v2/me/tweets/01QQQG2MU214P069",
		body:  `{"operationName":"Save","twitter":{"from":"vitaliy_onv","message":"Hello saved twitter!"}}`,
		reply: `{"statusCode":0}`, id: "01QQQG2MU214P069", topic: omni.ChannelTwitter},
	{name: "Twitter.Reply", // [S17] 2020 revision; request repaired: the stray comma after the id in the URL
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Reply(ctx, "01QQQG2MU214P05R", omni.TwitterReply{QueuePath: qContacts})
		},
		path: "/api/v2/me/tweets/01QQQG2MU214P05R", body: `{"operationName":"Reply","queuePath":"` + qContacts + `"}`,
		reply: `{"statusCode":0,"referenceId":42}`, ref: 42, id: "01QQQG2MU214P05R", topic: omni.ChannelTwitter,
		notification: `{"messageType":"TwitterStateChangeMessage","notificationType":"StatusChange","referenceId":42,
			"twitter":{"capabilities":["Cancel","Send","AddComment","AttachUserData","UpdateUserData","DeleteUserData",
			"SetDisposition","SetInFocus","Transfer"],"contactId":"0000Ka96XNNU4488","id":"01QQQG2MU214P05S",
			"message":"On 12:58:9 11/5/2013, P created a post saying hello world!.","parentId":"01QQQG2MU214P05R",
			"state":"Composing","twitterType":"Outbound","uri":"http://192.168.83.25:8080/api/v2/twitters/01QQQG2MU214P05S",
			"userData":{"To":"vitaliy_onv","_twitterInReplyToStatusId":"16556921","_twitterMsgType":"status",
			"_umsChannel":"channel-twitter"}}}`,
		check: func(t *testing.T, n omni.Notification) {
			tw := n.(*omni.TwitterStateChange).Tweet
			if tw.ID != "01QQQG2MU214P05S" || tw.ParentID != "01QQQG2MU214P05R" || tw.State != omni.StateComposing ||
				tw.UserData["_twitterMsgType"] != "status" {
				t.Errorf("tweet = %+v", tw)
			}
		}},
	{name: "Twitter.Reply as a retweet", // [S17] parameter table: isRetweet
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Reply(ctx, "01QQQG2MU214P05R", omni.TwitterReply{QueuePath: qContacts, IsRetweet: omni.Bool(true)})
		},
		path: "/api/v2/me/tweets/01QQQG2MU214P05R", body: `{"operationName":"Reply","queuePath":"` + qContacts + `","isRetweet":true}`,
		reply: `{"statusCode":0}`, id: "01QQQG2MU214P05R", topic: omni.ChannelTwitter},
	{name: "Twitter.Cancel", // [S18]
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Cancel(ctx, "01QQQG2MU214P05S")
		},
		path: "/api/v2/me/tweets/01QQQG2MU214P05S", body: `{"operationName":"Cancel"}`,
		reply: `{"statusCode":0,"referenceId":12}`, ref: 12, id: "01QQQG2MU214P05S", topic: omni.ChannelTwitter},
	{name: "Twitter.Complete", // [S19]
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Complete(ctx, "01QQQG2MU214P05R", omni.Complete{SaveLAR: omni.Bool(false)})
		},
		path: "/api/v2/me/tweets/01QQQG2MU214P05R", body: `{"operationName":"Complete","saveLAR":false}`,
		reply: `{"statusCode":0,"referenceId":45}`, ref: 45, id: "01QQQG2MU214P05R", topic: omni.ChannelTwitter},
	{name: "Twitter.Unfollow", // [S20] 2020 revision
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Unfollow(ctx, omni.TwitterFollow{TwitterUserID: "1234567890", From: "customer_support"})
		},
		path: "/api/v2/me/tweets", body: `{"operationName":"Unfollow","twitterUserId":"1234567890","from":"customer_support"}`,
		reply: `{"statusCode":0,"referenceId":1}`, ref: 1, topic: omni.ChannelTwitter,
		notification: `{"messageType":"TwitterOperationResponse","referenceId":1,"success":"false","errorMessage":"Unable to perform twitter operation"}`,
		check: func(t *testing.T, n omni.Notification) {
			op := n.(*omni.TwitterOperationResponse)
			if op.Success || op.ErrorMessage != "Unable to perform twitter operation" || op.ReferenceID != 1 {
				t.Errorf("response = %+v", op)
			}
		}},
	{name: "Twitter.Follow (inferred from Unfollow)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Follow(ctx, omni.TwitterFollow{TwitterUserID: "1234567890", From: "customer_support"})
		},
		path: "/api/v2/me/tweets", body: `{"operationName":"Follow","twitterUserId":"1234567890","from":"customer_support"}`,
		reply: `{"statusCode":0,"referenceId":2}`, ref: 2, topic: omni.ChannelTwitter,
		notification: `{"messageType":"TwitterOperationResponse","referenceId":2,"success":"true"}`,
		check: func(t *testing.T, n omni.Notification) {
			if op := n.(*omni.TwitterOperationResponse); !op.Success {
				t.Errorf("response = %+v", op)
			}
		}},
	{name: "Twitter.Retweet (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Retweet(ctx, "0000C7B43E1C003N")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"Retweet"}`,
		reply: `{"statusCode":0,"referenceId":3}`, ref: 3, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.MarkFavorite (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.MarkFavorite(ctx, "0000C7B43E1C003N")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"MarkFavorite"}`,
		reply: `{"statusCode":0,"referenceId":4}`, ref: 4, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.RemoveFavorite (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.RemoveFavorite(ctx, "0000C7B43E1C003N")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"RemoveFavorite"}`,
		reply: `{"statusCode":0,"referenceId":5}`, ref: 5, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.Transfer (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.Transfer(ctx, "0000C7B43E1C003N", "/users/10f8abb20c154fb28c82c68102625233")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"Transfer","targetPath":"/users/10f8abb20c154fb28c82c68102625233"}`,
		reply: `{"statusCode":0,"referenceId":68}`, ref: 68, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.SetDisposition (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.SetDisposition(ctx, "0000C7B43E1C003N", omni.Disposition{Disposition: "resolved"})
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"SetDisposition","disposition":"resolved"}`,
		reply: `{"statusCode":0,"referenceId":44}`, ref: 44, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.AddComment (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.AddComment(ctx, "0000C7B43E1C003N", "answered")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"AddComment","comment":"answered"}`,
		reply: `{"statusCode":0}`, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.AttachUserData (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.AttachUserData(ctx, "0000C7B43E1C003N", map[string]any{"UserData1": "x"})
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"AttachUserData","userData":{"UserData1":"x"}}`,
		reply: `{"statusCode":0}`, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.UpdateUserData (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.UpdateUserData(ctx, "0000C7B43E1C003N", map[string]any{"UserData1": "y"})
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"UpdateUserData","userData":{"UserData1":"y"}}`,
		reply: `{"statusCode":0}`, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.DeleteUserData (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.DeleteUserData(ctx, "0000C7B43E1C003N", "UserData1", "UserData2")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"DeleteUserData","keys":["UserData1","UserData2"]}`,
		reply: `{"statusCode":0}`, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
	{name: "Twitter.SetInFocus (inferred)",
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.Twitter.SetInFocus(ctx, "0000C7B43E1C003N")
		},
		path: "/api/v2/me/tweets/0000C7B43E1C003N", body: `{"operationName":"SetInFocus"}`,
		reply: `{"statusCode":0}`, id: "0000C7B43E1C003N", topic: omni.ChannelTwitter},
}

// sessionCases are the private-messaging operations this change adds.
var sessionCases = []opCase{
	{name: "FacebookSessions.Reject", // [S24]; notification uri kept as documented ("http: //...")
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.Reject(ctx, "0071023821aec011")
		},
		path: "/api/v2/me/facebooksessions/0071023821aec011", body: `{"operationName":"Reject"}`,
		reply: `{"statusCode":0}`, id: "0071023821aec011", topic: omni.ChannelFacebookSession,
		notification: `{"referenceId":5,"facebooksession":{"participants":[],"state":"Completed","id":"0000Wa9CAM6W00FF",
			"uri":"http: //localhost:8080/api/v2/facebooksessions/0000Wa9CAM6W00FF"},"notificationType":"StatusChange",
			"messageType":"FacebooksessionStateChangeMessage"}`,
		check: func(t *testing.T, n omni.Notification) {
			s := n.(*omni.FacebookSessionStateChange).Session
			if s.State != "Completed" || s.Capabilities != nil || s.Can(omni.OpSendMessage) {
				t.Errorf("session = %+v", s)
			}
		}},
	{name: "FacebookSessions.Consult", // [S25]; request repaired: path api/v2/facebooksession/{id} -> the
		// documented /me/facebooksessions/{id}
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.Consult(ctx, "0000Na9B26EF006E",
				omni.FacebookConsult{TargetURI: "http://localhost:8080/api/v2/contacts/429a55994ef64991a77acb77c1cf9041"})
		},
		path:  "/api/v2/me/facebooksessions/0000Na9B26EF006E",
		body:  `{"operationName":"Consult","targetUri":"http://localhost:8080/api/v2/contacts/429a55994ef64991a77acb77c1cf9041"}`,
		reply: `{"statusCode":0,"referenceId":35}`, ref: 35, id: "0000Na9B26EF006E", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.Consult by path", // [S25] parameter table
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.Consult(ctx, "0000Na9B26EF006E", omni.FacebookConsult{TargetPath: "/users/c30d06daa1ea43b8be79f9b071f30d70"})
		},
		path: "/api/v2/me/facebooksessions/0000Na9B26EF006E", body: `{"operationName":"Consult","targetPath":"/users/c30d06daa1ea43b8be79f9b071f30d70"}`,
		reply: `{"statusCode":0,"referenceId":35}`, ref: 35, id: "0000Na9B26EF006E", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.RemoveParticipantFromConference", // [S31]
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.RemoveParticipantFromConference(ctx, "00010a9FSGFP001F",
				"http://10.10.15.212:9090/api/v2/users/c30d06daa1ea43b8be79f9b071f30d70")
		},
		path:  "/api/v2/me/facebooksessions/00010a9FSGFP001F",
		body:  `{"operationName":"RemoveParticipantFromConference","targetUri":"http://10.10.15.212:9090/api/v2/users/c30d06daa1ea43b8be79f9b071f30d70"}`,
		reply: `{"statusCode":0}`, id: "00010a9FSGFP001F", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.AddComment", // [S32]
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.AddComment(ctx, "0000Na9B26EF003M", "Some facebook session comment text")
		},
		path: "/api/v2/me/facebooksessions/0000Na9B26EF003M", body: `{"operationName":"AddComment","comment":"Some facebook session comment text"}`,
		reply: `{"statusCode":0}`, id: "0000Na9B26EF003M", topic: omni.ChannelFacebookSession,
		notification: `{"referenceId":34,"facebooksession":{"participants":[{"nickname":"TestName","type":"Agent",
			"participantId":"009052C73228006D"},{"nickname":"FirstL","type":"Customer","participantId":"009052C73223006B"}],
			"state":"Chatting","id":"0000Na9B26EF003M","capabilities":["Transfer","Complete","Leave","InFocus","SendMessage",
			"SendStartTypingNotification","SendStopTypingNotification"],"comment":"Some chat comment text",
			"uri":"http: //localhost:8080/api/v2/facebooksessions/0000Na9B26EF003M"},"notificationType":"PropertiesUpdated",
			"messageType":"FacebooksessionStateChangeMessage"}`,
		check: func(t *testing.T, n omni.Notification) {
			s := n.(*omni.FacebookSessionStateChange).Session
			if s.Comment != "Some chat comment text" || len(s.Participants) != 2 || !s.Can(omni.OpSendMessage) {
				t.Errorf("session = %+v", s)
			}
		}},
	{name: "FacebookSessions.AttachUserData", // [S33] parameter table: userData
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.AttachUserData(ctx, "0002DaAVKJ0V0095", map[string]any{"UserData1": "DATA-@123"})
		},
		path: "/api/v2/me/facebooksessions/0002DaAVKJ0V0095", body: `{"operationName":"AttachUserData","userData":{"UserData1":"DATA-@123"}}`,
		reply: `{"statusCode":0}`, id: "0002DaAVKJ0V0095", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.UpdateUserData", // [S34] parameter table: userData
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.UpdateUserData(ctx, "0002DaAVKJ0V0095", map[string]any{"UserData2": "DATAUPDATE-@123"})
		},
		path: "/api/v2/me/facebooksessions/0002DaAVKJ0V0095", body: `{"operationName":"UpdateUserData","userData":{"UserData2":"DATAUPDATE-@123"}}`,
		reply: `{"statusCode":0}`, id: "0002DaAVKJ0V0095", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.DeleteUserData", // [S35]; path of the 2016 revision, singular segment -> plural
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.DeleteUserData(ctx, "0002DaAVKJ0V0095", "UserData1")
		},
		path: "/api/v2/me/facebooksessions/0002DaAVKJ0V0095", body: `{"operationName":"DeleteUserData","keys":["UserData1"]}`,
		reply: `{"statusCode":0}`, id: "0002DaAVKJ0V0095", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.SetDisposition", // [S41]; repaired: single quotes -> double quotes in request and notification
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.SetDisposition(ctx, "0000Na9B26EF003M", omni.Disposition{Disposition: "IssueResolved", Key: "DispositionCode"})
		},
		path:  "/api/v2/me/facebooksessions/0000Na9B26EF003M",
		body:  `{"operationName":"SetDisposition","dispositionKey":"DispositionCode","disposition":"IssueResolved"}`,
		reply: `{"statusCode":0}`, id: "0000Na9B26EF003M", topic: omni.ChannelFacebookSession,
		notification: `{"referenceId":34,"facebooksession":{"participants":[{"nickname":"TestName","type":"Agent",
			"participantId":"009052C73228006D"},{"nickname":"FirstL","type":"Customer","participantId":"009052C73223006B"}],
			"state":"Chatting","id":"0000Na9B26EF003M","capabilities":["Transfer","Complete","Leave","InFocus","SendMessage",
			"SendStartTypingNotification","SendStopTypingNotification"],"userData":{"DispositionCode":"IssueResolved"},
			"uri":"http: //localhost:8080/api/v2/facebooksessions/0000Na9B26EF003M"},"notificationType":"PropertiesUpdated",
			"messageType":"FacebooksessionStateChangeMessage"}`,
		check: func(t *testing.T, n omni.Notification) {
			s := n.(*omni.FacebookSessionStateChange).Session
			if s.UserData["DispositionCode"] != "IssueResolved" {
				t.Errorf("session = %+v", s)
			}
		}},
	{name: "FacebookSessions.ReportResponseTemplateUsage", // [S42]; repaired: the sample's usageType -> the
		// parameter table's responseType; the page says "there is no response to process", the reply here
		// is the envelope every operation has
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.ReportResponseTemplateUsage(ctx, "063JOIJjoIFJEW", omni.TemplateUsage{
				ResponseTemplateID: "9a379217-8c06-4fae-b33b-36c94a54b58c", ResponseType: omni.ResponseSystemAuto})
		},
		path:  "/api/v2/me/facebooksessions/063JOIJjoIFJEW",
		body:  `{"operationName":"ReportResponseTemplateUsage","responseTemplateId":"9a379217-8c06-4fae-b33b-36c94a54b58c","responseType":"SystemAutoResponse"}`,
		reply: `{"statusCode":0}`, id: "063JOIJjoIFJEW", topic: omni.ChannelFacebookSession},
	{name: "FacebookSessions.CompleteInQueue", // [S29] parameter table: queueName
		call: func(ctx context.Context, c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.CompleteInQueue(ctx, "0000Na9B26EF003M", "PostProcessingQueue")
		},
		path: "/api/v2/me/facebooksessions/0000Na9B26EF003M", body: `{"operationName":"Complete","queueName":"PostProcessingQueue"}`,
		reply: `{"statusCode":0}`, id: "0000Na9B26EF003M", topic: omni.ChannelFacebookSession},
}

// TestDocumentedOperations runs every operation against a fake that answers
// with the documented reply, and checks the request on the wire, the typed
// reply and, where the page has one, the typed notification.
func TestDocumentedOperations(t *testing.T) {
	all := append(append(append([]opCase(nil), facebookCases...), twitterCases...), sessionCases...)
	for _, tc := range all {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, tc.reply))
			res, err := tc.call(context.Background(), newGWS(t, fs))
			if err != nil {
				t.Fatal(err)
			}
			reqs := fs.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if reqs[0].Method != http.MethodPost || reqs[0].RequestURI != tc.path {
				t.Errorf("request %s %s, want POST %s", reqs[0].Method, reqs[0].RequestURI, tc.path)
			}
			assertJSONEqual(t, reqs[0].Body, []byte(tc.body))
			var sent struct{ OperationName omni.Operation }
			_ = json.Unmarshal([]byte(tc.body), &sent) // assertJSONEqual above failed the test if it is not JSON
			op := sent.OperationName
			if res.ReferenceID != tc.ref || res.ID != tc.id || res.Channel != tc.topic || res.Operation != op {
				t.Errorf("result = %+v, want ref %d id %q channel %s operation %s", res, tc.ref, tc.id, tc.topic, op)
			}
			if tc.notification == "" {
				return
			}
			n, err := omni.DecodeNotification(tc.topic, []byte(tc.notification))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, n)
		})
	}
}

// TestOperationValidation: each operation refuses bad input before any byte
// is sent, naming the field and the rule.
func TestOperationValidation(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0}`))
	c := newGWS(t, fs)
	ctx := context.Background()
	cases := []struct {
		name string
		call func() (*omni.OperationResult, error)
		want string
	}{
		{"Facebook.Create", func() (*omni.OperationResult, error) { return c.Facebook.Create(ctx, omni.FacebookCreate{}) }, "queuePath: must not be empty"},
		{"Facebook.Reply", func() (*omni.OperationResult, error) { return c.Facebook.Reply(ctx, "", omni.FacebookReply{}) },
			"id: must not be empty; queuePath: must not be empty"},
		{"Facebook.Cancel", func() (*omni.OperationResult, error) { return c.Facebook.Cancel(ctx, "..") }, `id: must not be ".."`},
		{"Facebook.Transfer", func() (*omni.OperationResult, error) { return c.Facebook.Transfer(ctx, "1", "") }, "targetPath: must not be empty"},
		{"Facebook.SetDisposition", func() (*omni.OperationResult, error) {
			return c.Facebook.SetDisposition(ctx, "1", omni.Disposition{Key: "DISP_KEY"})
		}, "disposition: must not be empty"},
		{"Facebook.AddComment", func() (*omni.OperationResult, error) { return c.Facebook.AddComment(ctx, "1", " ") }, "comment: must not be blank (only white space)"},
		{"Facebook.AttachUserData", func() (*omni.OperationResult, error) { return c.Facebook.AttachUserData(ctx, "1", nil) }, "userData: must have at least one key"},
		{"Facebook.UpdateUserData", func() (*omni.OperationResult, error) {
			return c.Facebook.UpdateUserData(ctx, "1", map[string]any{"": 1})
		}, "userData: keys must not be empty"},
		{"Facebook.DeleteUserData", func() (*omni.OperationResult, error) { return c.Facebook.DeleteUserData(ctx, "1") }, "keys: must list at least one key"},
		{"Facebook.DeleteUserData empty key", func() (*omni.OperationResult, error) { return c.Facebook.DeleteUserData(ctx, "1", "a", "") }, "keys[1]: must not be empty"},
		{"Facebook.Complete", func() (*omni.OperationResult, error) { return c.Facebook.Complete(ctx, "", omni.Complete{}) }, "id: must not be empty"},
		{"Twitter.Create", func() (*omni.OperationResult, error) { return c.Twitter.Create(ctx, omni.TwitterCreate{}) }, "queuePath: must not be empty"},
		{"Twitter.Reply", func() (*omni.OperationResult, error) { return c.Twitter.Reply(ctx, "1", omni.TwitterReply{}) }, "queuePath: must not be empty"},
		{"Twitter.Unfollow", func() (*omni.OperationResult, error) { return c.Twitter.Unfollow(ctx, omni.TwitterFollow{}) },
			"twitterUserId: must not be empty; from: must not be empty"},
		{"Twitter.Follow", func() (*omni.OperationResult, error) {
			return c.Twitter.Follow(ctx, omni.TwitterFollow{TwitterUserID: "1"})
		}, "from: must not be empty"},
		{"Twitter.Retweet", func() (*omni.OperationResult, error) { return c.Twitter.Retweet(ctx, "") }, "id: must not be empty"},
		{"FacebookSessions.Consult", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.Consult(ctx, "1", omni.FacebookConsult{})
		}, "targetUri: must be given when targetPath is empty"},
		{"FacebookSessions.Consult both targets", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.Consult(ctx, "1", omni.FacebookConsult{TargetPath: "/users/1", TargetURI: "http://gws/api/v2/users/1"})
		}, "targetUri: must be empty when targetPath is given"},
		{"FacebookSessions.Consult relative URI", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.Consult(ctx, "1", omni.FacebookConsult{TargetURI: "/users/1"})
		}, "targetUri: must be an absolute http or https URI"},
		{"FacebookSessions.RemoveParticipantFromConference", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.RemoveParticipantFromConference(ctx, "1", "")
		}, "targetUri: must not be empty"},
		{"FacebookSessions.ReportResponseTemplateUsage", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.ReportResponseTemplateUsage(ctx, "1", omni.TemplateUsage{})
		}, "responseTemplateId: must not be empty"},
		{"FacebookSessions.CompleteInQueue", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.CompleteInQueue(ctx, "1", "")
		}, "queueName: must not be empty"},
		{"FacebookSessions.Reject", func() (*omni.OperationResult, error) { return c.FacebookSessions.Reject(ctx, ".") }, `id: must not be "."`},
		// userData values that encoding/json cannot write are refused by key.
		{"Facebook.AttachUserData chan", func() (*omni.OperationResult, error) {
			return c.Facebook.AttachUserData(ctx, "1", map[string]any{"ok": "x", "x": make(chan int)})
		}, "userData.x: must be encodable as JSON (unsupported type: chan int)"},
		{"Facebook.Create func", func() (*omni.OperationResult, error) {
			return c.Facebook.Create(ctx, omni.FacebookCreate{QueuePath: qQueues, UserData: map[string]any{"cb": func() {}}})
		}, "userData.cb: must be encodable as JSON (unsupported type: func())"},
		{"Twitter.Reply nested NaN", func() (*omni.OperationResult, error) {
			return c.Twitter.Reply(ctx, "1", omni.TwitterReply{QueuePath: qContacts,
				UserData: map[string]any{"b": map[string]any{"score": math.NaN()}, "a": complex(1, 2)}})
		}, "userData.a: must be encodable as JSON (unsupported type: complex128); " +
			"userData.b: must be encodable as JSON (unsupported value: NaN)"},
		{"FacebookSessions.UpdateUserData chan", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.UpdateUserData(ctx, "1", map[string]any{"k": []any{1, make(chan bool)}})
		}, "userData.k: must be encodable as JSON (unsupported type: chan bool)"},
	}
	for _, tc := range cases {
		res, err := tc.call()
		var ve *omni.ValidationError
		if res != nil || !errors.As(err, &ve) || err.Error() != "omni: invalid request: "+tc.want {
			t.Errorf("%s: %v, %v; want *ValidationError %q", tc.name, res, err, tc.want)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestOperationRefusedInState: an operation the server refuses for the
// current state (statusCode 2) is an *APIError matching ErrInvalidState.
func TestOperationRefusedInState(t *testing.T) {
	fs := newFakeServer(t, reply(400, `{"statusCode":2,"statusMessage":"Operation Reply is not valid for the current state"}`))
	_, err := newGWS(t, fs).Facebook.Reply(context.Background(), "01QQQG2MU214P05R", omni.FacebookReply{QueuePath: qContacts})
	var ae *omni.APIError
	if !errors.Is(err, omni.ErrInvalidState) || !errors.As(err, &ae) || ae.GWSStatusMessage != "Operation Reply is not valid for the current state" {
		t.Fatalf("err = %v", err)
	}
	// The state is wrong, not the input: one sentinel, not both.
	if errors.Is(err, omni.ErrValidation) {
		t.Errorf("HTTP 400 statusCode 2 matches ErrValidation too: %v", err)
	}
}

// TestOperationsOnOlderPaths: the 2015/2016 pages' paths, /me/twitter and
// /me/facebooksession, through WithTwitterPath and WithFacebookSessionPath.
func TestOperationsOnOlderPaths(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":1}`))
	c := newGWS(t, fs, omni.WithTwitterPath("me/twitter"), omni.WithFacebookSessionPath("me/facebooksession"))
	ctx := context.Background()
	// [S20] 2016 revision: POST api/v2/me/twitter
	if _, err := c.Twitter.Unfollow(ctx, omni.TwitterFollow{TwitterUserID: "1234567890", From: "customer_support"}); err != nil {
		t.Fatal(err)
	}
	// [S17] 2015 draft: POST api/v2/me/twitter/01QQQG2MU214P05R
	if _, err := c.Twitter.Reply(ctx, "01QQQG2MU214P05R", omni.TwitterReply{QueuePath: qContacts}); err != nil {
		t.Fatal(err)
	}
	// [S31] 2015 draft: POST api/v2/me/facebooksession/00010a9FSGFP001F
	if _, err := c.FacebookSessions.RemoveParticipantFromConference(ctx, "00010a9FSGFP001F",
		"http://10.10.15.212:9090/api/v2/users/c30d06daa1ea43b8be79f9b071f30d70"); err != nil {
		t.Fatal(err)
	}
	want := []string{"/api/v2/me/twitter", "/api/v2/me/twitter/01QQQG2MU214P05R", "/api/v2/me/facebooksession/00010a9FSGFP001F"}
	for i, r := range fs.requests() {
		if r.RequestURI != want[i] {
			t.Errorf("request %d: %s, want %s", i, r.RequestURI, want[i])
		}
	}
}
