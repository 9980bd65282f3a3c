//! Tokenizers built from GGUF metadata: SentencePiece and GPT-2 byte-level BPE.
