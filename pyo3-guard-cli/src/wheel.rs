//! Just enough of the zip format to read the extension modules out of a wheel: the central
//! directory (zip64 included), stored and deflated members, CRC-32 checked. Everything is
//! bounds-checked: a truncated or corrupted wheel is an error naming what is wrong, never a panic.

use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// A member larger than this is refused rather than inflated (a zip bomb is not a wheel).
const MAX_MEMBER: u64 = 2 << 30;

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD64_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

/// An opened wheel (or any zip archive) held in memory.
pub struct Wheel {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
}

/// One member, as the central directory describes it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The member's path inside the archive, `/`-separated.
    pub name: String,
    method: u16,
    flags: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    local_offset: u64,
}

impl Wheel {
    /// Reads the central directory of the archive in `bytes`.
    pub fn parse(bytes: Vec<u8>) -> Result<Wheel, String> {
        let eocd = find_eocd(&bytes)
            .ok_or("not a zip archive (no end-of-central-directory record; truncated?)")?;
        let r = Reader(&bytes);
        let mut count = u64::from(r.u16(eocd + 10)?);
        let mut cd_size = u64::from(r.u32(eocd + 12)?);
        let mut cd_offset = u64::from(r.u32(eocd + 16)?);
        if count == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
            let locator = eocd.checked_sub(20).ok_or("zip64 locator missing")?;
            if r.u32(locator)? != EOCD64_LOCATOR_SIG {
                return Err("zip64 locator missing".into());
            }
            let at = usize_of(r.u64(locator + 8)?)?;
            if r.u32(at)? != EOCD64_SIG {
                return Err("zip64 end-of-central-directory record missing".into());
            }
            count = r.u64(at + 32)?;
            cd_size = r.u64(at + 40)?;
            cd_offset = r.u64(at + 48)?;
        }
        let start = usize_of(cd_offset)?;
        let end = start
            .checked_add(usize_of(cd_size)?)
            .filter(|&e| e <= bytes.len())
            .ok_or("central directory past the end (truncated?)")?;
        let mut entries = Vec::new();
        let mut at = start;
        while at < end {
            if r.u32(at)? != CENTRAL_SIG {
                return Err("corrupted central directory".into());
            }
            let name_len = usize::from(r.u16(at + 28)?);
            let extra_len = usize::from(r.u16(at + 30)?);
            let comment_len = usize::from(r.u16(at + 32)?);
            let name = r.slice(at + 46, name_len)?;
            let extra = r.slice(at + 46 + name_len, extra_len)?;
            let mut entry = Entry {
                name: String::from_utf8_lossy(name).into_owned(),
                flags: r.u16(at + 8)?,
                method: r.u16(at + 10)?,
                crc: r.u32(at + 16)?,
                compressed: u64::from(r.u32(at + 20)?),
                size: u64::from(r.u32(at + 24)?),
                local_offset: u64::from(r.u32(at + 42)?),
            };
            apply_zip64_extra(&mut entry, extra)?;
            entries.push(entry);
            at += 46 + name_len + extra_len + comment_len;
            if entries.len() as u64 > count {
                break;
            }
        }
        if entries.len() as u64 != count {
            return Err(format!(
                "central directory lists {} members, the archive says {count}",
                entries.len()
            ));
        }
        Ok(Wheel { bytes, entries })
    }

    /// Every member, in central-directory order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The uncompressed content of `entry`, CRC-checked.
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, String> {
        let r = Reader(&self.bytes);
        let at = usize_of(entry.local_offset)?;
        if r.u32(at)? != LOCAL_SIG {
            return Err("corrupted member header".into());
        }
        if entry.flags & 1 != 0 {
            return Err("member is encrypted".into());
        }
        if entry.size > MAX_MEMBER {
            return Err(format!("member is too large ({} bytes)", entry.size));
        }
        let data_at = at + 30 + usize::from(r.u16(at + 26)?) + usize::from(r.u16(at + 28)?);
        let data = r
            .slice(data_at, usize_of(entry.compressed)?)
            .map_err(|_| "member data past the end (truncated?)")?;
        let content = match entry.method {
            0 => data.to_vec(),
            8 => decompress_to_vec_with_limit(data, usize_of(entry.size)?)
                .map_err(|e| format!("corrupted deflate data ({:?})", e.status))?,
            other => return Err(format!("unsupported compression method {other}")),
        };
        if content.len() as u64 != entry.size {
            return Err(format!(
                "corrupted: member is {} bytes, the archive says {}",
                content.len(),
                entry.size
            ));
        }
        if crc32(&content) != entry.crc {
            return Err("CRC mismatch (corrupted)".into());
        }
        Ok(content)
    }
}

/// The zip64 extended-information field replaces each 32-bit value that is all ones, in order.
fn apply_zip64_extra(entry: &mut Entry, mut extra: &[u8]) -> Result<(), String> {
    while extra.len() >= 4 {
        let id = u16::from_le_bytes([extra[0], extra[1]]);
        let len = usize::from(u16::from_le_bytes([extra[2], extra[3]]));
        let body = extra.get(4..4 + len).ok_or("corrupted extra field")?;
        if id == 1 {
            let mut values = body
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
            for field in [
                &mut entry.size,
                &mut entry.compressed,
                &mut entry.local_offset,
            ] {
                if *field == 0xFFFF_FFFF {
                    *field = values.next().ok_or("corrupted zip64 field")?;
                }
            }
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

/// The end-of-central-directory record: the last one within the final 64 KiB + 22 bytes.
fn find_eocd(bytes: &[u8]) -> Option<usize> {
    let lowest = bytes.len().saturating_sub(22 + 0xFFFF);
    (lowest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| bytes[at..at + 4] == EOCD_SIG.to_le_bytes())
}

fn usize_of(value: u64) -> Result<usize, String> {
    usize::try_from(value).map_err(|_| "offset too large".to_owned())
}

/// Little-endian reads that fail instead of panicking past the end.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn slice(&self, at: usize, len: usize) -> Result<&[u8], String> {
        at.checked_add(len)
            .and_then(|end| self.0.get(at..end))
            .ok_or_else(|| "unexpected end of archive (truncated?)".to_owned())
    }
    fn u16(&self, at: usize) -> Result<u16, String> {
        self.slice(at, 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&self, at: usize) -> Result<u32, String> {
        self.slice(at, 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&self, at: usize) -> Result<u64, String> {
        self.slice(at, 8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE), as zip uses it.
fn crc32(bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A stored-only zip archive, written by hand (what the tests and regression inputs need).
    pub(crate) fn stored_zip(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in members {
            let offset = out.len() as u32;
            let crc = crc32(data);
            let header = |sig: u32, central: bool| {
                let mut h = sig.to_le_bytes().to_vec();
                if central {
                    h.extend(20u16.to_le_bytes());
                }
                h.extend(20u16.to_le_bytes()); // version needed
                h.extend([0u8; 2]); // flags
                h.extend([0u8; 2]); // method: stored
                h.extend([0u8; 4]); // time, date
                h.extend(crc.to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((data.len() as u32).to_le_bytes());
                h.extend((name.len() as u16).to_le_bytes());
                h.extend([0u8; 2]); // extra
                if central {
                    h.extend([0u8; 6]); // comment, disk, internal attributes
                    h.extend([0u8; 4]); // external attributes
                    h.extend(offset.to_le_bytes());
                }
                h.extend(name.as_bytes());
                h
            };
            out.extend(header(LOCAL_SIG, false));
            out.extend(*data);
            central.extend(header(CENTRAL_SIG, true));
        }
        let cd_offset = out.len() as u32;
        out.extend(&central);
        out.extend(EOCD_SIG.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((members.len() as u16).to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend([0u8; 2]);
        out
    }

    #[test]
    fn crc_of_a_known_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn reads_stored_members() {
        let zip = stored_zip(&[("a/b.so", b"hello"), ("c.txt", b"")]);
        let wheel = Wheel::parse(zip).unwrap();
        let names: Vec<_> = wheel.entries().iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a/b.so", "c.txt"]);
        assert_eq!(wheel.read(&wheel.entries()[0].clone()).unwrap(), b"hello");
    }

    #[test]
    fn every_truncation_and_every_flipped_byte_is_an_error_or_a_value_never_a_panic() {
        let zip = stored_zip(&[("a/b.so", b"hello world"), ("c.txt", b"x")]);
        for cut in 0..zip.len() {
            if let Ok(wheel) = Wheel::parse(zip[..cut].to_vec()) {
                for entry in wheel.entries().to_vec() {
                    let _ = wheel.read(&entry);
                }
            }
        }
        for at in 0..zip.len() {
            let mut bad = zip.clone();
            bad[at] ^= 0xA5;
            if let Ok(wheel) = Wheel::parse(bad) {
                for entry in wheel.entries().to_vec() {
                    let _ = wheel.read(&entry);
                }
            }
        }
    }

    #[test]
    fn a_flipped_data_byte_fails_the_crc() {
        let mut zip = stored_zip(&[("a.so", b"hello")]);
        let at = zip.windows(5).position(|w| w == b"hello").unwrap();
        zip[at] = b'j';
        let wheel = Wheel::parse(zip).unwrap();
        assert_eq!(
            wheel.read(&wheel.entries()[0].clone()).unwrap_err(),
            "CRC mismatch (corrupted)"
        );
    }
}
