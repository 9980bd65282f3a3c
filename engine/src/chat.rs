//! Chat templates (Gemma 3, Llama 3, ChatML) rendered as llama.cpp renders them with
//! its built-in formatter (`llm_chat_apply_template` in `src/llama-chat.cpp`), chosen
//! from `tokenizer.chat_template` the way `llm_chat_detect_template` chooses.
//!
//! The rendered string contains special-token text (`<start_of_turn>`, `<|im_start|>`,
//! ...) but no BOS: tokenize it with `encode(text, add_special = true,
//! parse_special = true)`, as llama.cpp does.

use crate::gguf::Gguf;

/// One chat message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// `system`, `user`, `assistant` (others are passed through).
    pub role: String,
    /// The text.
    pub content: String,
}

impl Message {
    /// A message with any role.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Message {
        Message {
            role: role.into(),
            content: content.into(),
        }
    }
    /// A system message.
    pub fn system(content: impl Into<String>) -> Message {
        Message::new("system", content)
    }
    /// A user message.
    pub fn user(content: impl Into<String>) -> Message {
        Message::new("user", content)
    }
    /// An assistant message.
    pub fn assistant(content: impl Into<String>) -> Message {
        Message::new("assistant", content)
    }
}

/// The template families we render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateKind {
    /// `<|im_start|>role\ncontent<|im_end|>\n` (SmolLM2, Qwen).
    ChatMl,
    /// `<start_of_turn>user\n...<end_of_turn>\n`, system merged into the first user turn.
    Gemma,
    /// `<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`.
    Llama3,
}

impl TemplateKind {
    /// The llama.cpp built-in name (`chatml`, `gemma`, `llama3`).
    pub fn name(self) -> &'static str {
        match self {
            TemplateKind::ChatMl => "chatml",
            TemplateKind::Gemma => "gemma",
            TemplateKind::Llama3 => "llama3",
        }
    }

    /// From a built-in name or a Jinja template text, following the order of checks
    /// in llama.cpp `llm_chat_detect_template`. `Err` names the family llama.cpp
    /// would pick when it is one we do not render, or says it is unknown.
    pub fn detect(tmpl: &str) -> Result<TemplateKind, String> {
        match tmpl {
            "chatml" => return Ok(TemplateKind::ChatMl),
            "gemma" => return Ok(TemplateKind::Gemma),
            "llama3" => return Ok(TemplateKind::Llama3),
            _ => {}
        }
        let has = |s: &str| tmpl.contains(s);
        if has("<|im_start|>") {
            return if has("<|im_sep|>") {
                Err("phi4".into())
            } else if has("<end_of_utterance>") {
                Err("smolvlm".into())
            } else {
                Ok(TemplateKind::ChatMl)
            };
        }
        // Families llama.cpp tests before Gemma and Llama 3 (same order).
        let earlier: &[(&str, &[&str])] = &[
            ("mistral/llama2", &["[INST]"]),
            ("phi3", &["<|assistant|>", "<|end|>"]),
            ("chatglm4", &["[gMASK]<sop>"]),
            ("glmedge/falcon3", &["<|assistant|>", "<|user|>"]),
            ("glmedge", &["<|{{ item['role'] }}|>", "<|begin_of_image|>"]),
            ("zephyr", &["<|user|>", "<|endoftext|>"]),
            ("monarch", &["bos_token + message['role']"]),
        ];
        if tmpl.starts_with("mistral") {
            return Err("mistral".into());
        }
        for (name, needles) in earlier {
            if needles.iter().all(|n| has(n)) {
                return Err((*name).into());
            }
        }
        if has("<start_of_turn>") {
            return Ok(TemplateKind::Gemma);
        }
        let between: &[(&str, &[&str])] = &[
            ("orion", &["'\\n\\nAssistant: ' + eos_token"]),
            ("openchat", &["GPT4 Correct "]),
            ("vicuna", &["USER: ", "ASSISTANT: "]),
            ("deepseek", &["### Instruction:", "<|EOT|>"]),
            ("command-r", &["<|START_OF_TURN_TOKEN|>", "<|USER_TOKEN|>"]),
        ];
        for (name, needles) in between {
            if needles.iter().all(|n| has(n)) {
                return Err((*name).into());
            }
        }
        if has("<|start_header_id|>") && has("<|end_header_id|>") {
            return Ok(TemplateKind::Llama3);
        }
        Err("unknown".into())
    }

    /// The template of a model: `tokenizer.chat_template` if present and
    /// recognised. Without that key llama.cpp falls back to ChatML; we instead pick
    /// by what the vocabulary contains (`<start_of_turn>` → Gemma,
    /// `<|start_header_id|>` → Llama 3, else ChatML), because Gemma 3 GGUFs ship
    /// without a template and ChatML would be wrong for them.
    pub fn from_gguf(g: &Gguf) -> Result<TemplateKind, String> {
        if let Some(t) = g.get_str("tokenizer.chat_template") {
            return TemplateKind::detect(t)
                .map_err(|fam| format!("chat template family '{fam}' is not supported"));
        }
        let tokens = g.get_str_arr("tokenizer.ggml.tokens").unwrap_or_default();
        let has = |s: &str| tokens.contains(&s);
        Ok(if has("<start_of_turn>") {
            TemplateKind::Gemma
        } else if has("<|start_header_id|>") {
            TemplateKind::Llama3
        } else {
            TemplateKind::ChatMl
        })
    }
}

/// Render a conversation (llama.cpp `llm_chat_apply_template`). With
/// `add_generation_prompt` the opening of the assistant turn is appended.
pub fn render(kind: TemplateKind, messages: &[Message], add_generation_prompt: bool) -> String {
    let mut s = String::new();
    match kind {
        TemplateKind::ChatMl => {
            for m in messages {
                s += &format!("<|im_start|>{}\n{}<|im_end|>\n", m.role, m.content);
            }
            if add_generation_prompt {
                s += "<|im_start|>assistant\n";
            }
        }
        TemplateKind::Gemma => {
            // Gemma has no system role: the system text is prepended to the next
            // non-model turn.
            let mut system = String::new();
            for m in messages {
                if m.role == "system" {
                    system += trim(&m.content);
                    continue;
                }
                let role = if m.role == "assistant" {
                    "model"
                } else {
                    m.role.as_str()
                };
                s += &format!("<start_of_turn>{role}\n");
                if !system.is_empty() && role != "model" {
                    s += &system;
                    s += "\n\n";
                    system.clear();
                }
                s += trim(&m.content);
                s += "<end_of_turn>\n";
            }
            if add_generation_prompt {
                s += "<start_of_turn>model\n";
            }
        }
        TemplateKind::Llama3 => {
            for m in messages {
                s += &format!(
                    "<|start_header_id|>{}<|end_header_id|>\n\n{}<|eot_id|>",
                    m.role,
                    trim(&m.content)
                );
            }
            if add_generation_prompt {
                s += "<|start_header_id|>assistant<|end_header_id|>\n\n";
            }
        }
    }
    s
}

/// Render with the model's template ([`TemplateKind::from_gguf`]).
pub fn render_for_model(
    g: &Gguf,
    messages: &[Message],
    add_generation_prompt: bool,
) -> anyhow::Result<String> {
    let kind = TemplateKind::from_gguf(g).map_err(anyhow::Error::msg)?;
    Ok(render(kind, messages, add_generation_prompt))
}

/// llama-chat.cpp `trim`: strip C `isspace` bytes at both ends.
fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_like_llama_cpp() {
        let smol = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}";
        assert_eq!(TemplateKind::detect(smol), Ok(TemplateKind::ChatMl));
        assert_eq!(
            TemplateKind::detect("{{ '<start_of_turn>' + role }}"),
            Ok(TemplateKind::Gemma)
        );
        assert_eq!(
            TemplateKind::detect("<|start_header_id|>x<|end_header_id|>"),
            Ok(TemplateKind::Llama3)
        );
        assert_eq!(TemplateKind::detect("llama3"), Ok(TemplateKind::Llama3));
        assert!(TemplateKind::detect("[INST] <start_of_turn>").is_err());
        assert!(TemplateKind::detect("plain").is_err());
    }

    #[test]
    fn renders_gemma_with_system_merged() {
        let msgs = [
            Message::system(" Be brief. "),
            Message::user(" Hi\n"),
            Message::assistant("Hello"),
        ];
        assert_eq!(
            render(TemplateKind::Gemma, &msgs, true),
            "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n<start_of_turn>model\n"
        );
        assert_eq!(
            render(TemplateKind::ChatMl, &msgs[1..2], true),
            "<|im_start|>user\n Hi\n<|im_end|>\n<|im_start|>assistant\n"
        );
        assert_eq!(
            render(TemplateKind::Llama3, &msgs[1..2], false),
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
        );
    }
}
