//! Decoder: bytes → packets → text / JSON. Zero-copy: [`Packets`] borrows the dword slice,
//! every read is bounds-checked and every error carries the dword offset of the packet.
//! Never panics on any input (fuzz target `fuzz/fuzz_targets/pm4_decode.rs`).

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::field::Field;
use crate::op::{self, pkt_type, BodyKind, BodyLen, PacketInfo, HEADER, HEADER0};
use crate::regs::{self, Gen, RegInfo, RegSpace};

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The byte length is not a multiple of 4.
    #[error("IB is {len} bytes, not a whole number of dwords")]
    NotDwords {
        /// Byte length.
        len: usize,
    },
    /// The header announces more dwords than remain.
    #[error("dword {offset_dw}: {name} needs {need} dwords but only {have} remain")]
    Truncated {
        /// Dword offset of the header.
        offset_dw: usize,
        /// Packet name.
        name: String,
        /// Dwords the header announces (with the header).
        need: usize,
        /// Dwords left from the header on.
        have: usize,
    },
    /// A type-1 header (reserved).
    #[error("dword {offset_dw}: reserved type-1 packet header 0x{header:08x}")]
    Type1 {
        /// Dword offset.
        offset_dw: usize,
        /// The header.
        header: u32,
    },
    /// A known packet with a body size its layout does not allow.
    #[error("dword {offset_dw}: {name} has {got} body dwords, expected {expected}")]
    BadCount {
        /// Dword offset.
        offset_dw: usize,
        /// Packet name.
        name: &'static str,
        /// Body dwords found.
        got: usize,
        /// Allowed sizes.
        expected: String,
    },
}

/// Turn little-endian bytes into dwords.
pub fn dwords_from_bytes(bytes: &[u8]) -> Result<Vec<u32>, DecodeError> {
    if !bytes.len().is_multiple_of(4) {
        return Err(DecodeError::NotDwords { len: bytes.len() });
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect())
}

/// One framed packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<'a> {
    /// Dword offset of the header in the IB.
    pub offset_dw: usize,
    /// The header dword.
    pub header: u32,
    /// Packet type (0, 2 or 3; type 1 is an error).
    pub ptype: u32,
    /// Type-3 opcode (0 for other types).
    pub opcode: u8,
    /// Type-3 SHADER_TYPE bit (compute).
    pub shader_type: bool,
    /// Type-3 PREDICATE bit.
    pub predicate: bool,
    /// Payload after the header (empty for type 2 and header-only NOP).
    pub body: &'a [u32],
}

impl<'a> Packet<'a> {
    /// Total dwords including the header.
    pub fn len_dw(&self) -> usize {
        1 + self.body.len()
    }

    /// Table entry of a type-3 opcode.
    pub fn info(&self) -> Option<&'static PacketInfo> {
        if self.ptype == pkt_type::TYPE3 {
            op::info(self.opcode)
        } else {
            None
        }
    }

    /// Display name (`SET_SH_REG`, `TYPE2`, `UNKNOWN_0xAB`).
    pub fn name(&self) -> String {
        match self.ptype {
            pkt_type::TYPE0 => "TYPE0".into(),
            pkt_type::TYPE2 => "TYPE2".into(),
            _ => match self.info() {
                Some(i) => i.name.into(),
                None => format!("UNKNOWN_0x{:02X}", self.opcode),
            },
        }
    }

    /// Register writes of a SET_*_REG(_INDEX) or type-0 packet as `(byte address, value,
    /// dword index of the value in the IB)`; empty for other packets.
    pub fn reg_writes(&self) -> impl Iterator<Item = (u32, u32, usize)> + 'a {
        let (base, values, first): (u32, &'a [u32], usize) = match self.ptype {
            pkt_type::TYPE0 => (
                HEADER0::BASE_INDEX.get(self.header) * 4,
                self.body,
                self.offset_dw + 1,
            ),
            pkt_type::TYPE3 => match self.info().map(|i| i.kind) {
                Some(BodyKind::SetReg(space)) if !self.body.is_empty() => (
                    regs::addr_in_space(space, self.body[0], 0),
                    &self.body[1..],
                    self.offset_dw + 2,
                ),
                Some(BodyKind::SetRegIndex(space)) if !self.body.is_empty() => {
                    let off = op::SET_REG_OFFSET::REG_OFFSET.get(self.body[0]);
                    (
                        regs::addr_in_space(space, off, 0),
                        &self.body[1..],
                        self.offset_dw + 2,
                    )
                }
                _ => (0, &[][..], 0),
            },
            _ => (0, &[][..], 0),
        };
        values
            .iter()
            .enumerate()
            .map(move |(i, v)| (base.wrapping_add(4 * i as u32), *v, first + i))
    }
}

/// Streaming packet iterator over an IB; stops after the first error.
#[derive(Debug, Clone)]
pub struct Packets<'a> {
    dw: &'a [u32],
    pos: usize,
    done: bool,
}

impl<'a> Packets<'a> {
    /// Iterate the packets of `dw`.
    pub fn new(dw: &'a [u32]) -> Self {
        Packets {
            dw,
            pos: 0,
            done: false,
        }
    }

    /// Dword offset of the next packet.
    pub fn position(&self) -> usize {
        self.pos
    }
}

fn expected_text(b: BodyLen) -> String {
    match b {
        BodyLen::Any => "any".into(),
        BodyLen::Exact(n) => format!("{n}"),
        BodyLen::Range(a, b) => format!("{a}..={b}"),
        BodyLen::AtLeast(n) => format!(">= {n}"),
    }
}

impl<'a> Iterator for Packets<'a> {
    type Item = Result<Packet<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.pos >= self.dw.len() {
            return None;
        }
        let offset_dw = self.pos;
        let header = self.dw[offset_dw];
        let have = self.dw.len() - offset_dw;
        let ptype = HEADER::TYPE.get(header);
        let count = HEADER::COUNT.get(header) as usize;
        let (body_len, opcode, shader_type, predicate) = match ptype {
            pkt_type::TYPE2 => (0, 0, false, false),
            pkt_type::TYPE1 => {
                self.done = true;
                return Some(Err(DecodeError::Type1 { offset_dw, header }));
            }
            pkt_type::TYPE0 => (count + 1, 0, false, false),
            _ => {
                let opcode = HEADER::OPCODE.get(header) as u8;
                (
                    op::pkt3_body_dwords(header),
                    opcode,
                    HEADER::SHADER_TYPE.get(header) != 0,
                    HEADER::PREDICATE.get(header) != 0,
                )
            }
        };
        if 1 + body_len > have {
            self.done = true;
            let name = if ptype == pkt_type::TYPE3 {
                op::name(opcode)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("UNKNOWN_0x{opcode:02X}"))
            } else {
                "TYPE0".into()
            };
            return Some(Err(DecodeError::Truncated {
                offset_dw,
                name,
                need: 1 + body_len,
                have,
            }));
        }
        let body = &self.dw[offset_dw + 1..offset_dw + 1 + body_len];
        let pkt = Packet {
            offset_dw,
            header,
            ptype,
            opcode,
            shader_type,
            predicate,
            body,
        };
        if let Some(info) = pkt.info() {
            let header_only_nop = info.opcode == op::NOP;
            if !header_only_nop && !info.body.accepts(body.len()) {
                self.done = true;
                return Some(Err(DecodeError::BadCount {
                    offset_dw,
                    name: info.name,
                    got: body.len(),
                    expected: expected_text(info.body),
                }));
            }
        }
        self.pos = offset_dw + 1 + body_len;
        Some(Ok(pkt))
    }
}

/// A field value printed as decimal below 10, hex otherwise.
fn num(v: u32) -> String {
    if v < 10 {
        format!("{v}")
    } else {
        format!("0x{v:x}")
    }
}

fn field_value_text(f: &Field, v: u32) -> String {
    if f.name == "EVENT_TYPE" {
        if let Some(n) = op::event::name(v) {
            return n.to_string();
        }
    }
    num(v)
}

/// `(FIELD=v,...)` for the non-zero fields; nothing for a single full-width field.
fn fields_text(fields: &[Field], v: u32) -> String {
    if fields.is_empty() || (fields.len() == 1 && fields[0].width() == 32) {
        return String::new();
    }
    let parts: Vec<String> = fields
        .iter()
        .filter(|f| f.get(v) != 0)
        .map(|f| format!("{}={}", f.name, field_value_text(f, f.get(v))))
        .collect();
    if parts.is_empty() {
        return String::new();
    }
    format!("({})", parts.join(","))
}

/// The register row used for names and fields: generation-less ([`regs::by_addr`], the
/// gfx10/10.3 layout) or the layout of one generation ([`regs::by_addr_for`]).
fn lookup(addr: u32, gen: Option<Gen>) -> Option<&'static RegInfo> {
    match gen {
        None => regs::by_addr(addr),
        Some(g) => regs::by_addr_for(addr, g),
    }
}

fn reg_name(addr: u32, gen: Option<Gen>) -> String {
    match lookup(addr, gen) {
        Some(r) => r.name.to_string(),
        None => format!("REG_0x{addr:05X}"),
    }
}

/// One text line for a packet (no trailing newline): `OFFSET NAME details`. Registers are
/// named and split with the generation-less table (gfx10/10.3 layouts); see
/// [`packet_text_for`].
pub fn packet_text(p: &Packet) -> String {
    packet_text_gen(p, None)
}

/// [`packet_text`] with the register names and fields of `gen` (e.g. the 15-bit gfx11
/// `COMPUTE_TMPRING_SIZE.WAVESIZE`; registers `gen` lacks print as `REG_0x.....`).
pub fn packet_text_for(p: &Packet, gen: Gen) -> String {
    packet_text_gen(p, Some(gen))
}

fn packet_text_gen(p: &Packet, gen: Option<Gen>) -> String {
    let mut s = format!("{:06x}  {}", p.offset_dw, p.name());
    if p.shader_type {
        s.push_str(" [compute]");
    }
    if p.predicate {
        s.push_str(" [pred]");
    }
    match (p.ptype, p.info()) {
        (pkt_type::TYPE2, _) => {}
        (pkt_type::TYPE0, _) => push_regs(&mut s, p, gen),
        (_, Some(info)) => match info.kind {
            BodyKind::SetReg(_) => push_regs(&mut s, p, gen),
            BodyKind::SetRegIndex(_) => {
                let _ = write!(s, " INDEX={}", op::SET_REG_OFFSET::INDEX.get(p.body[0]));
                push_regs(&mut s, p, gen)
            }
            BodyKind::Raw if info.opcode == op::NOP => {
                let _ = write!(s, " ({} dwords)", p.len_dw());
            }
            BodyKind::Raw => push_raw(&mut s, p.body),
            BodyKind::Named => {
                for (i, v) in p.body.iter().enumerate() {
                    match info.dwords.get(i) {
                        Some(d) => {
                            let _ =
                                write!(s, " {}=0x{:08x}{}", d.name, v, fields_text(d.fields, *v));
                        }
                        None => {
                            let _ = write!(s, " data[{}]=0x{:08x}", i - info.dwords.len(), v);
                        }
                    }
                }
            }
        },
        (_, None) => push_raw(&mut s, p.body),
    }
    s
}

fn push_raw(s: &mut String, body: &[u32]) {
    s.push_str(" body=[");
    for (i, v) in body.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "0x{v:08x}");
    }
    s.push(']');
}

fn push_regs(s: &mut String, p: &Packet, gen: Option<Gen>) {
    for (addr, v, _) in p.reg_writes() {
        let fields = lookup(addr, gen).map(|r| r.fields).unwrap_or(&[]);
        let _ = write!(
            s,
            " {}=0x{:08x}{}",
            reg_name(addr, gen),
            v,
            fields_text(fields, v)
        );
    }
}

fn fields_json(fields: &[Field], v: u32) -> Value {
    let mut m = Map::new();
    for f in fields {
        m.insert(f.name.to_string(), json!(f.get(v)));
    }
    Value::Object(m)
}

/// JSON object for a packet (generation-less register table, like [`packet_text`]).
pub fn packet_json(p: &Packet) -> Value {
    packet_json_gen(p, None)
}

/// [`packet_json`] with the register names and fields of `gen`.
pub fn packet_json_for(p: &Packet, gen: Gen) -> Value {
    packet_json_gen(p, Some(gen))
}

fn packet_json_gen(p: &Packet, gen: Option<Gen>) -> Value {
    let mut m = Map::new();
    m.insert("offset_dw".into(), json!(p.offset_dw));
    m.insert("type".into(), json!(p.ptype));
    m.insert("name".into(), json!(p.name()));
    if p.ptype == pkt_type::TYPE3 {
        m.insert("opcode".into(), json!(p.opcode));
        m.insert("shader_type".into(), json!(p.shader_type));
        m.insert("predicate".into(), json!(p.predicate));
    }
    m.insert("header".into(), json!(p.header));
    m.insert("body".into(), json!(p.body));
    let is_regs = p.ptype == pkt_type::TYPE0
        || matches!(
            p.info().map(|i| i.kind),
            Some(BodyKind::SetReg(_)) | Some(BodyKind::SetRegIndex(_))
        );
    if is_regs {
        let regs_v: Vec<Value> = p
            .reg_writes()
            .map(|(addr, v, _)| {
                let fields = lookup(addr, gen).map(|r| r.fields).unwrap_or(&[]);
                json!({"name": reg_name(addr, gen), "addr": addr, "value": v, "fields": fields_json(fields, v)})
            })
            .collect();
        m.insert("regs".into(), Value::Array(regs_v));
    } else if let Some(info) = p.info().filter(|i| i.kind == BodyKind::Named) {
        let dws: Vec<Value> = p
            .body
            .iter()
            .enumerate()
            .map(|(i, v)| match info.dwords.get(i) {
                Some(d) => json!({"name": d.name, "value": v, "fields": fields_json(d.fields, *v)}),
                None => json!({"name": format!("data[{}]", i - info.dwords.len()), "value": v}),
            })
            .collect();
        m.insert("dwords".into(), Value::Array(dws));
    }
    Value::Object(m)
}

/// Decode a whole IB to text, one line per packet. On a framing error the lines decoded so
/// far are returned together with the error.
pub fn decode_text(dw: &[u32]) -> (String, Option<DecodeError>) {
    decode_text_gen(dw, None)
}

/// [`decode_text`] with the register names and fields of `gen` ([`packet_text_for`]).
pub fn decode_text_for(dw: &[u32], gen: Gen) -> (String, Option<DecodeError>) {
    decode_text_gen(dw, Some(gen))
}

fn decode_text_gen(dw: &[u32], gen: Option<Gen>) -> (String, Option<DecodeError>) {
    let mut out = String::new();
    for r in Packets::new(dw) {
        match r {
            Ok(p) => {
                out.push_str(&packet_text_gen(&p, gen));
                out.push('\n');
            }
            Err(e) => return (out, Some(e)),
        }
    }
    (out, None)
}

/// Decode a whole IB to a JSON array of packets, or the first error.
pub fn decode_json(dw: &[u32]) -> Result<Value, DecodeError> {
    decode_json_gen(dw, None)
}

/// [`decode_json`] with the register names and fields of `gen`.
pub fn decode_json_for(dw: &[u32], gen: Gen) -> Result<Value, DecodeError> {
    decode_json_gen(dw, Some(gen))
}

fn decode_json_gen(dw: &[u32], gen: Option<Gen>) -> Result<Value, DecodeError> {
    let mut v = Vec::new();
    for r in Packets::new(dw) {
        v.push(packet_json_gen(&r?, gen));
    }
    Ok(Value::Array(v))
}

/// The register space a SET opcode writes (for executors such as `sim`).
pub fn set_reg_space(opcode: u8) -> Option<RegSpace> {
    match op::info(opcode)?.kind {
        BodyKind::SetReg(s) | BodyKind::SetRegIndex(s) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::CmdStream;

    #[test]
    fn frames_all_types() {
        let mut cs = CmdStream::new();
        cs.type2_nop();
        cs.nop(1);
        cs.nop(3);
        cs.wreg(
            regs::COMPUTE_PGM_RSRC2,
            &[regs::COMPUTE_PGM_RSRC2::LDS_SIZE.set(2)],
        )
        .unwrap();
        cs.emit(0x0001_2E0C); // type-0: 2 registers from dword 0x2E0C
        cs.emit(5);
        cs.emit(6);
        let pk: Vec<_> = Packets::new(cs.as_slice()).map(|r| r.unwrap()).collect();
        assert_eq!(pk.len(), 5);
        assert_eq!(pk[1].body.len(), 0);
        assert_eq!(pk[2].body.len(), 2);
        let w: Vec<_> = pk[3].reg_writes().collect();
        assert_eq!(w, vec![(regs::COMPUTE_PGM_RSRC2, 2 << 15, 7)]);
        let w0: Vec<_> = pk[4].reg_writes().map(|(a, v, _)| (a, v)).collect();
        assert_eq!(
            w0,
            vec![(regs::COMPUTE_PGM_LO, 5), (regs::COMPUTE_PGM_HI, 6)]
        );
        let (t, e) = decode_text(cs.as_slice());
        assert!(e.is_none());
        assert!(
            t.contains("COMPUTE_PGM_RSRC2=0x00010000(LDS_SIZE=2)"),
            "{t}"
        );
        assert!(t.contains("000000  TYPE2"));
    }

    #[test]
    fn errors_carry_offsets() {
        // truncated DISPATCH_DIRECT at dword 1
        let d = [op::TYPE2_NOP, op::pkt3(op::DISPATCH_DIRECT, 4, true), 1, 1];
        let e = Packets::new(&d).nth(1).unwrap().unwrap_err();
        assert_eq!(
            e,
            DecodeError::Truncated {
                offset_dw: 1,
                name: "DISPATCH_DIRECT".into(),
                need: 5,
                have: 3
            }
        );
        // bad count
        let d = [op::pkt3(op::RELEASE_MEM, 6, false), 0, 0, 0, 0, 0, 0];
        let e = Packets::new(&d).next().unwrap().unwrap_err();
        assert!(matches!(
            e,
            DecodeError::BadCount {
                offset_dw: 0,
                got: 6,
                ..
            }
        ));
        assert_eq!(
            e.to_string(),
            "dword 0: RELEASE_MEM has 6 body dwords, expected 7"
        );
        // type 1
        let d = [0x4000_0000];
        assert!(matches!(
            Packets::new(&d).next().unwrap(),
            Err(DecodeError::Type1 { offset_dw: 0, .. })
        ));
        assert_eq!(
            dwords_from_bytes(&[1, 2, 3]),
            Err(DecodeError::NotDwords { len: 3 })
        );
        // iteration stops after an error
        assert_eq!(Packets::new(&d).count(), 1);
    }

    #[test]
    fn unknown_opcode_prints_raw() {
        let d = [op::pkt3(0xEE, 2, false), 0xAB, 0xCD];
        let (t, e) = decode_text(&d);
        assert!(e.is_none());
        assert_eq!(t, "000000  UNKNOWN_0xEE body=[0x000000ab,0x000000cd]\n");
        let j = decode_json(&d).unwrap();
        assert_eq!(j[0]["name"], "UNKNOWN_0xEE");
    }

    /// Seeded random words (xorshift) through the decoder: no panics, and when the decoder
    /// succeeds the packets tile the input exactly.
    #[test]
    fn random_words_never_panic() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u32
        };
        for round in 0..2000 {
            let n = (next() % 64) as usize;
            let mut d: Vec<u32> = (0..n).map(|_| next()).collect();
            // Bias towards plausible type-3 headers with small counts.
            for w in d.iter_mut() {
                if next().is_multiple_of(3) {
                    let opcode = op::PACKETS[(next() as usize) % op::PACKETS.len()].opcode;
                    *w = op::pkt3(opcode, 1 + (next() % 8) as usize, next().is_multiple_of(2));
                }
            }
            let mut covered = 0;
            let mut failed = false;
            for r in Packets::new(&d) {
                match r {
                    Ok(p) => {
                        assert_eq!(p.offset_dw, covered, "round {round}");
                        covered += p.len_dw();
                        let _ = packet_text(&p);
                        let _ = packet_json(&p);
                    }
                    Err(_) => failed = true,
                }
            }
            assert!(failed || covered == d.len(), "round {round}");
            let _ = decode_text(&d);
            let _ = decode_json(&d);
        }
    }
}
