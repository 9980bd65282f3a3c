//! Chat templates (Gemma 3, Llama 3, ChatML) rendered as llama.cpp renders them.
