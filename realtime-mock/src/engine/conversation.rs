//! Conversation items: where they go, how they are completed, truncated and
//! retrieved (with their audio).

use serde_json::{Value, json};

use realtime_types::ga;

use super::response::TONE_HZ;
use super::{Ids, State};
use crate::audio;

/// Why a request about an item is refused.
pub(super) enum Refusal {
    NoSuchItem,
    Invalid {
        message: String,
        param: &'static str,
    },
}

/// Checks a truncate and applies it: the audio is cut, the transcript of
/// that content part deleted.
pub(super) fn check_truncate(
    state: &mut State,
    truncate: &ga::client::ConversationItemTruncate,
) -> Result<(), Refusal> {
    let invalid = |message: String, param| Err(Refusal::Invalid { message, param });
    let Some(item) = state
        .items
        .iter_mut()
        .find(|i| id_of(i) == Some(&truncate.item_id))
    else {
        return Err(Refusal::NoSuchItem);
    };
    let Some(spoken) = state.spoken.get_mut(&truncate.item_id) else {
        return invalid(
            "Only assistant messages with audio can be truncated.".into(),
            "item_id",
        );
    };
    let parts = item
        .get("content")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let index = truncate.content_index;
    if index < 0 || index as usize >= parts {
        return invalid(
            format!("Invalid 'content_index': {index}. The item has {parts} content part(s)."),
            "content_index",
        );
    }
    if truncate.audio_end_ms < 0 {
        return invalid(
            format!(
                "Invalid 'audio_end_ms': {}. Expected a value of at least 0.",
                truncate.audio_end_ms
            ),
            "audio_end_ms",
        );
    }
    let end = truncate.audio_end_ms as u64;
    if end > spoken.ms {
        return invalid(
            format!(
                "Invalid 'audio_end_ms': {end}. The audio content of {}ms is shorter than {end}ms.",
                spoken.ms
            ),
            "audio_end_ms",
        );
    }
    spoken.ms = end;
    spoken.truncated = true;
    if let Some(part) = item.pointer_mut(&format!("/content/{index}"))
        && part.get("transcript").is_some()
    {
        part["transcript"] = json!("");
    }
    Ok(())
}

/// An item as `conversation.item.retrieved` shows it: with its audio
/// (base64 in the format it was heard or spoken in, as far as it was).
pub(super) fn with_audio(state: &State, item_id: &str) -> Option<Value> {
    let mut item = state
        .items
        .iter()
        .find(|i| id_of(i) == Some(item_id))?
        .clone();
    let audio = if let Some((samples, format)) = state.heard.get(item_id) {
        Some(audio::encode_base64(samples, *format))
    } else {
        state.spoken.get(item_id).map(|spoken| {
            let rate = spoken.format.sample_rate();
            let heard = audio::samples_for(u32::try_from(spoken.ms).unwrap_or(u32::MAX), rate);
            let total = heard.max(1);
            let samples = audio::tone_segment(total, 0..heard, rate, TONE_HZ, 0.3);
            audio::encode_base64(&samples, spoken.format)
        })
    };
    if let Some(audio) = audio
        && let Some(part) = item
            .get_mut("content")
            .and_then(Value::as_array_mut)
            .and_then(|parts| {
                parts.iter_mut().find(|p| {
                    matches!(
                        p.get("type").and_then(Value::as_str),
                        Some("input_audio" | "output_audio")
                    )
                })
            })
    {
        part["audio"] = json!(audio);
    }
    Some(item)
}

/// A typed item (or part) as the conversation stores it, in its wire
/// shape; `None` (and an error in the log) if it cannot be encoded, which
/// the generated types never do.
pub(crate) fn stored<T: serde::Serialize>(typed: &T) -> Option<Value> {
    match serde_json::to_value(typed) {
        Ok(value) => Some(value),
        Err(error) => {
            eprintln!(
                "realtime-mock: an item could not be stored: {}",
                crate::engine::json_error_place(&error)
            );
            None
        }
    }
}

/// A stored item as the generated type an event carries. The conversation
/// only holds items that were decoded as this type or built as it, so this
/// does not fail; if it ever did, the item is sent as it is stored (the
/// union's `Unknown`), and the log says so.
pub(super) fn typed_item(item: Value) -> ga::ConversationItem {
    match serde_json::from_value::<ga::ConversationItem>(item.clone()) {
        Ok(item) => item,
        Err(error) => {
            eprintln!(
                "realtime-mock: a stored item does not decode as an item: {}",
                crate::engine::json_error_place(&error)
            );
            ga::ConversationItem::Unknown(item)
        }
    }
}

pub(super) fn id_of(item: &Value) -> Option<&str> {
    item.get("id").and_then(Value::as_str)
}

/// Server-side fields of a created item: an id, `object` and `status`
/// where the item's type has them and the client left them out.
pub(super) fn complete_item(item: &mut ga::ConversationItem, ids: &Ids) {
    use ga::{ConversationItem as Item, Message};
    match item {
        Item::Message(Message::System(m)) => fill(&mut m.id, &mut m.object, &mut m.status, ids),
        Item::Message(Message::User(m)) => fill(&mut m.id, &mut m.object, &mut m.status, ids),
        Item::Message(Message::Assistant(m)) => fill(&mut m.id, &mut m.object, &mut m.status, ids),
        Item::FunctionCall(c) => fill(&mut c.id, &mut c.object, &mut c.status, ids),
        Item::FunctionCallOutput(o) => fill(&mut o.id, &mut o.object, &mut o.status, ids),
        // MCP items carry their id (the spec requires it) and neither
        // `object` nor `status`.
        Item::McpApprovalResponse(_)
        | Item::McpListTools(_)
        | Item::McpCall(_)
        | Item::McpApprovalRequest(_) => {}
        Item::Message(Message::Unknown(raw)) | Item::Unknown(raw) => fill_raw(raw, ids),
    }
}

/// [`complete_item`] for one item type.
fn fill<O, S>(id: &mut Option<String>, object: &mut Option<O>, status: &mut Option<S>, ids: &Ids)
where
    O: From<&'static str>,
    S: From<&'static str>,
{
    id.get_or_insert_with(|| ids.next("item"));
    object.get_or_insert_with(|| O::from("realtime.item"));
    status.get_or_insert_with(|| S::from("completed"));
}

/// [`complete_item`] for an item of a type the spec does not know.
fn fill_raw(item: &mut Value, ids: &Ids) {
    if let Value::Object(fields) = item {
        if !fields.get("id").is_some_and(Value::is_string) {
            fields.insert("id".into(), Value::String(ids.next("item")));
        }
        fields
            .entry("object")
            .or_insert_with(|| Value::String("realtime.item".into()));
        fields
            .entry("status")
            .or_insert_with(|| Value::String("completed".into()));
    }
}

/// Inserts after `previous` (`None`: at the end; `root`: at the start).
/// Returns the id of the item now before it.
pub(super) fn insert_item(
    items: &mut Vec<Value>,
    previous: Option<&str>,
    item: Value,
) -> Result<Option<String>, ()> {
    let position = match previous {
        None => items.len(),
        Some("root") => 0,
        Some(id) => items.iter().position(|i| id_of(i) == Some(id)).ok_or(())? + 1,
    };
    let before = position
        .checked_sub(1)
        .and_then(|p| items.get(p))
        .and_then(id_of)
        .map(str::to_string);
    items.insert(position, item);
    Ok(before)
}

/// JSON merge: objects merge key by key, anything else (arrays, scalars,
/// `null`) replaces.
pub(crate) fn merge(target: &mut Value, changes: Value) {
    match (target, changes) {
        (Value::Object(target), Value::Object(changes)) => {
            for (key, value) in changes {
                match target.get_mut(&key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        merge(existing, value)
                    }
                    _ => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, changes) => *target = changes,
    }
}

/// A `response.create` input item, with an `item_reference` replaced by the
/// conversation item it names (`None` when there is no such item).
pub(super) fn resolve_reference(item: &Value, items: &[Value]) -> Option<Value> {
    if item.get("type").and_then(Value::as_str) != Some("item_reference") {
        return Some(item.clone());
    }
    let id = id_of(item)?;
    items.iter().find(|i| id_of(i) == Some(id)).cloned()
}
