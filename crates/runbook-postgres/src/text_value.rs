//! Query results as text, whatever the column types.
//!
//! Gates compare values as text, but the extended protocol in tokio-postgres always asks for
//! binary results. This module renders the binary forms of the types gate and catalog queries
//! return (booleans, integers, numerics, floats, text-like types, enums, uuid, json, bytea) the
//! way PostgreSQL's text output does; anything else is an error that asks for a `::text` cast
//! rather than a guess. Parameters go the other way: sent as text with an unspecified type, so
//! the server infers and parses them exactly as it would a literal.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use tokio_postgres::types::{Format, FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

type BoxError = Box<dyn StdError + Sync + Send>;

/// A parameter sent in text format; the server decides its type.
#[derive(Debug)]
pub(crate) struct TextParam<'a>(pub &'a str);

impl ToSql for TextParam<'_> {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        out.put_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    fn encode_format(&self, _ty: &Type) -> Format {
        Format::Text
    }

    to_sql_checked!();
}

/// One cell of a result, as PostgreSQL's text output would show it (`None` for NULL).
#[derive(Debug)]
pub(crate) struct TextCell(pub Option<String>);

/// Raised for a type this module does not render; the caller turns it into
/// [`QueryError::UnsupportedType`](crate::QueryError::UnsupportedType).
#[derive(Debug)]
pub(crate) struct Unsupported;

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unsupported type")
    }
}

impl StdError for Unsupported {}

impl<'a> FromSql<'a> for TextCell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        render(ty, raw).map(|text| TextCell(Some(text)))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, BoxError> {
        Ok(TextCell(None))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

fn render(ty: &Type, raw: &[u8]) -> Result<String, BoxError> {
    match ty.kind() {
        Kind::Enum(_) => return utf8(raw),
        Kind::Domain(base) => return render(base, raw),
        _ => {}
    }
    Ok(match *ty {
        Type::BOOL => if raw.first() == Some(&1) { "t" } else { "f" }.to_owned(),
        Type::INT2 => i16::from_be_bytes(exact(raw)?).to_string(),
        Type::INT4 => i32::from_be_bytes(exact(raw)?).to_string(),
        Type::INT8 => i64::from_be_bytes(exact(raw)?).to_string(),
        Type::OID | Type::XID | Type::CID => u32::from_be_bytes(exact(raw)?).to_string(),
        Type::FLOAT4 => {
            let value = f32::from_be_bytes(exact(raw)?);
            float(value.into(), &format!("{value:e}"), FLOAT4_DIGITS)
        }
        Type::FLOAT8 => {
            let value = f64::from_be_bytes(exact(raw)?);
            float(value, &format!("{value:e}"), FLOAT8_DIGITS)
        }
        Type::NUMERIC => numeric(raw)?,
        Type::TEXT
        | Type::VARCHAR
        | Type::BPCHAR
        | Type::NAME
        | Type::UNKNOWN
        | Type::JSON
        | Type::XML
        | Type::REFCURSOR => utf8(raw)?,
        Type::CHAR => utf8(raw)?,
        Type::JSONB => match raw.split_first() {
            Some((1, rest)) => utf8(rest)?,
            _ => return Err(Box::new(Unsupported)),
        },
        Type::UUID => uuid(raw)?,
        Type::BYTEA => {
            let mut out = String::with_capacity(2 + raw.len() * 2);
            out.push_str("\\x");
            for byte in raw {
                out.push_str(&format!("{byte:02x}"));
            }
            out
        }
        _ if ty.name() == "citext" => utf8(raw)?,
        _ => return Err(Box::new(Unsupported)),
    })
}

fn utf8(raw: &[u8]) -> Result<String, BoxError> {
    Ok(std::str::from_utf8(raw)?.to_owned())
}

fn exact<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into().map_err(|_| "unexpected length".into())
}

/// `FLT_DIG` and `DBL_DIG`: from this decimal exponent on, PostgreSQL writes floats in
/// scientific notation.
const FLOAT4_DIGITS: i32 = 6;
const FLOAT8_DIGITS: i32 = 15;

/// PostgreSQL's float output (`extra_float_digits = 1`, the default since 12): the shortest
/// digits that read back exactly, which is what Rust's `{:e}` gives for the value's own width
/// (an f32 widened to f64 would print 0.1 as 0.10000000149011612), laid out as PostgreSQL does:
/// fixed notation for exponents from -4 to `digits - 1`, else `1.5e-07`, `1e+15`.
fn float(value: f64, shortest: &str, digits: i32) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((shortest, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if !(-4..digits).contains(&exponent) {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.unsigned_abs());
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let significant: String = mantissa.chars().filter(|c| *c != '.').collect();
    let point = exponent + 1; // digits before the decimal point
    let text = if point <= 0 {
        format!(
            "0.{}{significant}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else {
        let point = point as usize;
        if significant.len() <= point {
            format!("{significant}{}", "0".repeat(point - significant.len()))
        } else {
            format!("{}.{}", &significant[..point], &significant[point..])
        }
    };
    format!("{sign}{text}")
}

fn uuid(raw: &[u8]) -> Result<String, BoxError> {
    let bytes: [u8; 16] = exact(raw)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// The binary NUMERIC: ndigits, weight, sign, dscale, then base-10000 digits.
fn numeric(raw: &[u8]) -> Result<String, BoxError> {
    let word = |i: usize| -> Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "truncated numeric".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = usize::from(word(3)?);
    match sign {
        0xC000 => return Ok("NaN".to_owned()),
        0xD000 => return Ok("Infinity".to_owned()),
        0xF000 => return Ok("-Infinity".to_owned()),
        _ => {}
    }
    let digits = (0..ndigits)
        .map(|i| word(4 + i))
        .collect::<Result<Vec<u16>, _>>()?;
    let digit_at = |position: i32| -> u16 {
        // position: the power of 10000 (weight is the first digit's).
        let index = weight - position;
        if index < 0 {
            0
        } else {
            digits.get(index as usize).copied().unwrap_or(0)
        }
    };
    let mut out = String::new();
    if sign == 0x4000 {
        out.push('-');
    }
    if weight < 0 {
        out.push('0');
    } else {
        for position in (0..=weight).rev() {
            let digit = digit_at(position);
            if position == weight {
                out.push_str(&digit.to_string());
            } else {
                out.push_str(&format!("{digit:04}"));
            }
        }
    }
    if dscale > 0 {
        out.push('.');
        let mut fraction = String::new();
        let mut position = -1;
        while fraction.len() < dscale {
            fraction.push_str(&format!("{:04}", digit_at(position)));
            position -= 1;
        }
        fraction.truncate(dscale);
        out.push_str(&fraction);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_bytes(weight: i16, sign: u16, dscale: u16, digits: &[u16]) -> Vec<u8> {
        let mut out = Vec::new();
        for word in [digits.len() as u16, weight as u16, sign, dscale] {
            out.extend_from_slice(&word.to_be_bytes());
        }
        for digit in digits {
            out.extend_from_slice(&digit.to_be_bytes());
        }
        out
    }

    #[test]
    fn numerics_render_like_postgres() {
        assert_eq!(numeric(&numeric_bytes(0, 0, 0, &[])).unwrap(), "0");
        assert_eq!(
            numeric(&numeric_bytes(1, 0, 0, &[12, 3456])).unwrap(),
            "123456"
        );
        assert_eq!(numeric(&numeric_bytes(1, 0, 0, &[1])).unwrap(), "10000");
        assert_eq!(
            numeric(&numeric_bytes(0, 0x4000, 2, &[3, 1400])).unwrap(),
            "-3.14"
        );
        assert_eq!(numeric(&numeric_bytes(-1, 0, 4, &[5])).unwrap(), "0.0005");
        assert_eq!(numeric(&numeric_bytes(0, 0, 2, &[7])).unwrap(), "7.00");
        assert_eq!(numeric(&numeric_bytes(0, 0xC000, 0, &[])).unwrap(), "NaN");
    }

    #[test]
    fn floats_render_like_postgres() {
        let f8 = |v: f64| float(v, &format!("{v:e}"), FLOAT8_DIGITS);
        let f4 = |v: f32| float(v.into(), &format!("{v:e}"), FLOAT4_DIGITS);
        assert_eq!(f4(0.1), "0.1");
        assert_eq!(f4(2.75), "2.75");
        assert_eq!(f4(123456.0), "123456");
        assert_eq!(f4(1e6), "1e+06");
        assert_eq!(f4(1.5e-7), "1.5e-07");
        assert_eq!(f8(1e15), "1e+15");
        assert_eq!(f8(1e14), "100000000000000");
        assert_eq!(f8(0.0001), "0.0001");
        assert_eq!(f8(0.00001), "1e-05");
        assert_eq!(f8(-12.5), "-12.5");
        assert_eq!(f8(-0.0), "-0");
        assert_eq!(f8(1e100), "1e+100");
        assert_eq!(f8(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn uuids_and_bytea() {
        let raw: Vec<u8> = (0u8..16).collect();
        assert_eq!(uuid(&raw).unwrap(), "00010203-0405-0607-0809-0a0b0c0d0e0f");
        assert_eq!(render(&Type::BYTEA, &[0xde, 0xad]).unwrap(), "\\xdead");
        assert_eq!(render(&Type::BOOL, &[1]).unwrap(), "t");
        assert!(render(&Type::TIMESTAMPTZ, &[0; 8]).is_err());
    }
}
