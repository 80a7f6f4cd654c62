//! What responses say. The protocol engine turns a [`Reply`] into the full
//! event sequence of a real response (items, content parts, text or audio
//! deltas with transcripts, usage); a [`Responder`] only decides the content.

use serde_json::Value;

/// What a response is asked to answer.
#[derive(Debug, Clone, Copy)]
pub struct ResponseRequest<'a> {
    /// The items the response sees, oldest first: the conversation, or the
    /// response's own `input` when it gave one. Items are JSON as on the wire.
    pub input: &'a [Value],
    /// The instructions in force (the response's, else the session's).
    pub instructions: Option<&'a str>,
    /// The function tools the response may call.
    pub tools: &'a [ToolSpec],
}

/// A function tool a response may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// Its name.
    pub name: String,
    /// The JSON Schema of its arguments, when it has one.
    pub parameters: Option<Value>,
}

impl ToolSpec {
    /// A tool without a parameter schema.
    pub fn named(name: impl Into<String>) -> Self {
        ToolSpec {
            name: name.into(),
            parameters: None,
        }
    }
}

/// The content of one response.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// An assistant message (spoken as audio when the response outputs audio).
    Message {
        /// The text (or transcript).
        text: String,
    },
    /// A call of a function tool.
    FunctionCall {
        /// The tool's name.
        name: String,
        /// The arguments, as JSON text.
        arguments: String,
    },
    /// Exactly these server events, sent as they are on every surface (for
    /// tests that script the server; an `event_id` is added first where one
    /// is missing); `response.create` then sends nothing else.
    Events(Vec<Value>),
}

/// Decides what a response says.
pub trait Responder: Send + Sync + 'static {
    /// The reply to `request`.
    fn reply(&self, request: &ResponseRequest<'_>) -> Reply;
}

/// The default responder:
///
/// - after a `function_call_output` item, it says
///   `The function returned: <output>`;
/// - when function tools are available and the last user text contains a
///   tool's name (case-insensitive), it calls that tool with arguments that
///   satisfy its parameter schema, taken from the user's words where they
///   can be ([`crate::arguments`]);
/// - otherwise it echoes the last user text: `You said: <text>` (audio input
///   without a transcript counts as the text `(audio)`), or `Hello.` when
///   there is none.
#[derive(Debug, Clone, Copy, Default)]
pub struct EchoResponder;

impl Responder for EchoResponder {
    fn reply(&self, request: &ResponseRequest<'_>) -> Reply {
        if let Some(last) = request.input.last()
            && last.get("type").and_then(Value::as_str) == Some("function_call_output")
        {
            let output = last
                .get("output")
                .and_then(Value::as_str)
                .unwrap_or_default();
            return Reply::Message {
                text: format!("The function returned: {output}"),
            };
        }
        let Some(text) = last_user_text(request.input) else {
            return Reply::Message {
                text: "Hello.".into(),
            };
        };
        let lowered = text.to_lowercase();
        if let Some(tool) = request
            .tools
            .iter()
            .find(|tool| lowered.contains(&tool.name.to_lowercase()))
        {
            let arguments = crate::arguments::arguments_for(tool.parameters.as_ref(), &text);
            return Reply::FunctionCall {
                name: tool.name.clone(),
                arguments: arguments.to_string(),
            };
        }
        Reply::Message {
            text: format!("You said: {text}"),
        }
    }
}

/// The text of the last user message: its `input_text` parts joined, or
/// audio transcripts, or `(audio)` for audio without a transcript.
pub fn last_user_text(items: &[Value]) -> Option<String> {
    let message = items.iter().rev().find(|item| {
        item.get("type").and_then(Value::as_str) == Some("message")
            && item.get("role").and_then(Value::as_str) == Some("user")
    })?;
    let parts: Vec<String> = message
        .get("content")
        .and_then(Value::as_array)
        .map(|content| {
            content
                .iter()
                .filter_map(|part| match part.get("type").and_then(Value::as_str) {
                    Some("input_text") => {
                        part.get("text").and_then(Value::as_str).map(str::to_string)
                    }
                    Some("input_audio") => Some(
                        part.get("transcript")
                            .and_then(Value::as_str)
                            .unwrap_or("(audio)")
                            .to_string(),
                    ),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Some(parts.join(" "))
}

/// A responder that plays back a fixed list of replies, one per response
/// (the last one repeats).
#[derive(Debug, Clone)]
pub struct ScriptedResponder {
    replies: Vec<Reply>,
    next: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl ScriptedResponder {
    /// Replies in this order.
    pub fn new(replies: Vec<Reply>) -> Self {
        ScriptedResponder {
            replies,
            next: Default::default(),
        }
    }
}

impl Responder for ScriptedResponder {
    fn reply(&self, _request: &ResponseRequest<'_>) -> Reply {
        let index = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.replies
            .get(index.min(self.replies.len().saturating_sub(1)))
            .cloned()
            .unwrap_or(Reply::Message {
                text: String::new(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user(text: &str) -> Value {
        json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
    }

    #[test]
    fn echoes_the_last_user_text() {
        let input = [user("first"), user("hello there")];
        let reply = EchoResponder.reply(&ResponseRequest {
            input: &input,
            instructions: None,
            tools: &[],
        });
        assert_eq!(
            reply,
            Reply::Message {
                text: "You said: hello there".into()
            }
        );
    }

    #[test]
    fn calls_a_tool_named_in_the_user_text() {
        let input = [user("What is the Weather in Paris?")];
        let tools = [
            ToolSpec::named("get_time"),
            ToolSpec {
                name: "weather".into(),
                parameters: Some(
                    json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}),
                ),
            },
        ];
        let reply = EchoResponder.reply(&ResponseRequest {
            input: &input,
            instructions: None,
            tools: &tools,
        });
        assert_eq!(
            reply,
            Reply::FunctionCall {
                name: "weather".into(),
                arguments: r#"{"city":"Paris"}"#.into()
            }
        );
    }

    #[test]
    fn reports_a_function_output() {
        let input = [
            user("weather"),
            json!({"type": "function_call_output", "call_id": "c", "output": "sunny"}),
        ];
        let reply = EchoResponder.reply(&ResponseRequest {
            input: &input,
            instructions: None,
            tools: &[],
        });
        assert_eq!(
            reply,
            Reply::Message {
                text: "The function returned: sunny".into()
            }
        );
    }

    #[test]
    fn audio_without_transcript_counts_as_audio() {
        let input =
            [json!({"type": "message", "role": "user", "content": [{"type": "input_audio"}]})];
        assert_eq!(last_user_text(&input).as_deref(), Some("(audio)"));
    }

    #[test]
    fn scripted_replies_come_in_order_and_the_last_repeats() {
        let script = ScriptedResponder::new(vec![
            Reply::Message { text: "a".into() },
            Reply::Message { text: "b".into() },
        ]);
        let request = ResponseRequest {
            input: &[],
            instructions: None,
            tools: &[],
        };
        let texts: Vec<Reply> = (0..3).map(|_| script.reply(&request)).collect();
        assert_eq!(texts[0], Reply::Message { text: "a".into() });
        assert_eq!(texts[2], Reply::Message { text: "b".into() });
    }
}
