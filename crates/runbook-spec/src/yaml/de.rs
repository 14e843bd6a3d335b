//! A serde `Deserializer` over the positioned node tree.
//!
//! Errors are structured ([`DeErrorKind`]) and carry the position of the innermost node involved
//! and the key path from the node deserialization started at, so the loader can word them the
//! same way everywhere ("unknown key 'taget' in step 'load-schema'; expected one of: ...").
//! Primitive types are checked here rather than by serde's visitors so that messages say
//! "expected true or false" instead of "expected a boolean".
//!
//! Two conveniences for people writing YAML: a field that wants text accepts any scalar as
//! written (`PGPORT: 5432`, `mode: 0600`), and numbers and booleans may be quoted.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::resolve::Resolved;
use super::tree::{NodeId, Tree, Value};
use crate::position::Position;

/// The struct name [`RawNode`](crate::load::raw::RawNode) asks for: instead of deserializing,
/// the deserializer hands over the node id so that a part can be processed later, on its own.
pub(crate) const RAW_NODE: &str = "$runbook_spec::RawNode";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeErrorKind {
    /// From a `Deserialize` impl; worded "subject: details".
    Custom(String),
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    MissingField(&'static str),
    InvalidType {
        expected: String,
        found: String,
    },
    UnknownVariant {
        variant: String,
        expected: &'static [&'static str],
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeError {
    pub kind: DeErrorKind,
    pub pos: Option<Position>,
    /// Innermost segment first while the error travels up; see [`DeError::path`].
    rev_path: Vec<Seg>,
}

impl DeError {
    fn new(kind: DeErrorKind) -> Self {
        Self {
            kind,
            pos: None,
            rev_path: Vec::new(),
        }
    }

    /// The key path from the node where deserialization started to the problem.
    pub(crate) fn path(&self) -> Vec<Seg> {
        self.rev_path.iter().rev().cloned().collect()
    }

    fn at(mut self, pos: Position) -> Self {
        self.pos.get_or_insert(pos);
        self
    }

    fn under(mut self, seg: Seg) -> Self {
        self.rev_path.push(seg);
        self
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DeErrorKind::Custom(m) => f.write_str(m),
            DeErrorKind::UnknownField { field, .. } => write!(f, "unknown key '{field}'"),
            DeErrorKind::MissingField(field) => write!(f, "missing required key '{field}'"),
            DeErrorKind::InvalidType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            DeErrorKind::UnknownVariant { variant, .. } => write!(f, "unknown value '{variant}'"),
        }
    }
}

impl std::error::Error for DeError {}

fn describe_unexpected(unexp: de::Unexpected<'_>) -> String {
    match unexp {
        de::Unexpected::Bool(b) => b.to_string(),
        de::Unexpected::Unsigned(n) => n.to_string(),
        de::Unexpected::Signed(n) => n.to_string(),
        de::Unexpected::Float(x) => x.to_string(),
        de::Unexpected::Char(c) => format!("'{c}'"),
        de::Unexpected::Str(s) => super::tree::quote_for_message(s),
        de::Unexpected::Unit | de::Unexpected::Option => "nothing".to_owned(),
        de::Unexpected::Seq => "a list".to_owned(),
        de::Unexpected::Map => "a mapping".to_owned(),
        other => other.to_string(),
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::new(DeErrorKind::Custom(msg.to_string()))
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::new(DeErrorKind::InvalidType {
            expected: exp.to_string(),
            found: describe_unexpected(unexp),
        })
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Self::invalid_type(unexp, exp)
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Self::new(DeErrorKind::InvalidType {
            expected: exp.to_string(),
            found: format!("{len} items"),
        })
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self::new(DeErrorKind::UnknownVariant {
            variant: variant.to_owned(),
            expected,
        })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self::new(DeErrorKind::UnknownField {
            field: field.to_owned(),
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Self {
        Self::new(DeErrorKind::MissingField(field))
    }
}

/// Which entries of the starting mapping are visible: a step's common keys and its kind's keys
/// are deserialized separately from the same mapping, and keys with errors are left out when
/// looking for further errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filter<'f> {
    pub only: Option<&'f [&'f str]>,
    pub except: &'f [&'f str],
}

impl Filter<'_> {
    pub(crate) const ALL: Filter<'static> = Filter {
        only: None,
        except: &[],
    };

    fn keeps(self, key: Option<&str>) -> bool {
        let listed = |keys: &[&str]| key.is_some_and(|k| keys.contains(&k));
        self.only.is_none_or(listed) && !listed(self.except)
    }
}

/// Deserializes `T` from a node; the first error only.
#[cfg(test)]
pub(crate) fn from_node<'t, T: de::Deserialize<'t>>(
    tree: &'t Tree,
    id: NodeId,
) -> Result<T, DeError> {
    T::deserialize(NodeDe {
        tree,
        id,
        filter: Filter::ALL,
    })
}

/// Deserializes `T` from a mapping node and reports as many errors as it can: after an error in
/// one key, that key is left out and deserialization is tried again (serde stops at the first
/// error). Errors that only say a left-out key is missing are not reported.
pub(crate) fn from_node_all_errors<'t, T: de::Deserialize<'t>>(
    tree: &'t Tree,
    id: NodeId,
    only: Option<&[&str]>,
    except: &[&str],
) -> Result<T, Vec<DeError>> {
    let mut dropped: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    while errors.len() < 32 {
        let result = {
            let excluded: Vec<&str> = except
                .iter()
                .copied()
                .chain(dropped.iter().map(String::as_str))
                .collect();
            T::deserialize(NodeDe {
                tree,
                id,
                filter: Filter {
                    only,
                    except: &excluded,
                },
            })
        };
        let error = match result {
            Ok(value) if errors.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(error) => error,
        };
        if let DeErrorKind::MissingField(field) = &error.kind {
            // Missing because it was left out, or because it is misspelled (already reported
            // as an unknown key with this suggestion).
            let misspelled = errors.iter().any(|e: &DeError| {
                matches!(&e.kind, DeErrorKind::UnknownField { field: typo, .. }
                    if crate::load::suggest::closest(typo, [*field]).is_some())
            });
            if misspelled || dropped.iter().any(|d| d == field) {
                break;
            }
        }
        let key = match (&error.kind, error.path().first()) {
            (_, Some(Seg::Key(key))) => Some(key.clone()),
            (DeErrorKind::UnknownField { field, .. }, None) => Some(field.clone()),
            _ => None,
        };
        errors.push(error);
        match key {
            Some(key) if !dropped.contains(&key) => dropped.push(key),
            _ => break,
        }
    }
    Err(errors)
}

#[derive(Clone, Copy)]
struct NodeDe<'t, 'f> {
    tree: &'t Tree,
    id: NodeId,
    filter: Filter<'f>,
}

impl<'t, 'f> NodeDe<'t, 'f> {
    fn child(&self, id: NodeId) -> NodeDe<'t, 'static> {
        NodeDe {
            tree: self.tree,
            id,
            filter: Filter::ALL,
        }
    }

    fn pos(&self) -> Position {
        self.tree.node(self.id).pos
    }

    fn wrong(&self, expected: &str) -> DeError {
        DeError::new(DeErrorKind::InvalidType {
            expected: expected.to_owned(),
            found: self.tree.describe(self.id),
        })
        .at(self.pos())
    }

    fn located<V>(&self, result: Result<V, DeError>) -> Result<V, DeError> {
        result.map_err(|e| e.at(self.pos()))
    }

    fn resolved(&self) -> Option<Resolved<'t>> {
        self.tree.resolved(self.id)
    }

    /// An integer, whether written as a number or as quoted digits.
    fn integer(&self) -> Option<i128> {
        match self.resolved()? {
            Resolved::Int(i) => Some(i.into()),
            Resolved::UInt(u) => Some(u.into()),
            Resolved::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    fn unsigned<V: Visitor<'t>>(self, max: u64, visitor: V) -> Result<V::Value, DeError> {
        match self.integer() {
            Some(v) if (0..=i128::from(max)).contains(&v) => {
                self.located(visitor.visit_u64(v as u64))
            }
            _ => Err(self.wrong(&format!("a whole number from 0 to {max}"))),
        }
    }

    fn signed<V: Visitor<'t>>(self, min: i64, max: i64, visitor: V) -> Result<V::Value, DeError> {
        match self.integer() {
            Some(v) if (i128::from(min)..=i128::from(max)).contains(&v) => {
                self.located(visitor.visit_i64(v as i64))
            }
            _ => Err(self.wrong(&format!("a whole number from {min} to {max}"))),
        }
    }

    fn map_access(&self) -> MapAcc<'t> {
        let entries = self
            .tree
            .entries(self.id)
            .iter()
            .copied()
            .filter(|&(k, _)| self.filter.keeps(self.tree.key_text(k)))
            .collect();
        MapAcc {
            tree: self.tree,
            entries,
            next: 0,
        }
    }
}

impl<'t> Deserializer<'t> for NodeDe<'t, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let result = match &self.tree.node(self.id).value {
            Value::Seq(items) => visitor.visit_seq(SeqAcc {
                de: self.child(self.id),
                items,
                next: 0,
            }),
            Value::Map(_) => visitor.visit_map(self.map_access()),
            Value::Scalar { .. } => match self.resolved() {
                Some(Resolved::Null) | None => visitor.visit_unit(),
                Some(Resolved::Bool(b)) => visitor.visit_bool(b),
                Some(Resolved::Int(i)) => visitor.visit_i64(i),
                Some(Resolved::UInt(u)) => visitor.visit_u64(u),
                Some(Resolved::Float(x)) => visitor.visit_f64(x),
                Some(Resolved::Str(s)) => visitor.visit_borrowed_str(s),
            },
        };
        self.located(result)
    }

    fn deserialize_bool<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.resolved() {
            Some(Resolved::Bool(b)) => self.located(visitor.visit_bool(b)),
            Some(Resolved::Str(s)) if s.trim() == "true" || s.trim() == "false" => {
                self.located(visitor.visit_bool(s.trim() == "true"))
            }
            _ => Err(self.wrong("true or false")),
        }
    }

    fn deserialize_u8<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(u8::MAX.into(), visitor)
    }
    fn deserialize_u16<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(u16::MAX.into(), visitor)
    }
    fn deserialize_u32<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(u32::MAX.into(), visitor)
    }
    fn deserialize_u64<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.unsigned(u64::MAX, visitor)
    }
    fn deserialize_i8<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(i8::MIN.into(), i8::MAX.into(), visitor)
    }
    fn deserialize_i16<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(i16::MIN.into(), i16::MAX.into(), visitor)
    }
    fn deserialize_i32<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(i32::MIN.into(), i32::MAX.into(), visitor)
    }
    fn deserialize_i64<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.signed(i64::MIN, i64::MAX, visitor)
    }

    fn deserialize_f32<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        let number = match self.resolved() {
            Some(Resolved::Int(i)) => Some(i as f64),
            Some(Resolved::UInt(u)) => Some(u as f64),
            Some(Resolved::Float(x)) => Some(x),
            Some(Resolved::Str(s)) => s.trim().parse().ok(),
            _ => None,
        };
        match number {
            Some(x) if x.is_finite() => self.located(visitor.visit_f64(x)),
            _ => Err(self.wrong("a number")),
        }
    }

    fn deserialize_str<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.tree.text(self.id) {
            Some(text) => self.located(visitor.visit_borrowed_str(text)),
            None => Err(self.wrong("text")),
        }
    }
    fn deserialize_char<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_string<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_identifier<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_bytes<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.resolved() {
            Some(Resolved::Null) => self.located(visitor.visit_none()),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.resolved() {
            Some(Resolved::Null) => self.located(visitor.visit_unit()),
            _ => Err(self.wrong("nothing")),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'t>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'t>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.tree.node(self.id).value {
            Value::Seq(items) => self.located(visitor.visit_seq(SeqAcc {
                de: self.child(self.id),
                items,
                next: 0,
            })),
            _ => Err(self.wrong("a list")),
        }
    }
    fn deserialize_tuple<V: Visitor<'t>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'t>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        match &self.tree.node(self.id).value {
            Value::Map(_) => self.located(visitor.visit_map(self.map_access())),
            _ => Err(self.wrong("a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'t>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        if name == RAW_NODE {
            return visitor.visit_u64(self.id as u64);
        }
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'t>>(
        self,
        _name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let one_of = || format!("one of: {}", variants.join(", "));
        match &self.tree.node(self.id).value {
            Value::Scalar { .. } if self.tree.text(self.id).is_some() => {
                self.located(visitor.visit_enum(EnumAcc {
                    de: self.child(self.id),
                    key: self.id,
                    value: None,
                }))
            }
            Value::Map(entries) if entries.len() == 1 => {
                let (key, value) = entries[0];
                self.located(visitor.visit_enum(EnumAcc {
                    de: self.child(self.id),
                    key,
                    value: Some(value),
                }))
            }
            Value::Map(entries) if !entries.is_empty() => {
                let keys: Vec<&str> = entries
                    .iter()
                    .filter_map(|&(k, _)| self.tree.key_text(k))
                    .collect();
                Err(DeError::new(DeErrorKind::InvalidType {
                    expected: format!("exactly one of: {}", variants.join(", ")),
                    found: keys.join(", "),
                })
                .at(self.pos()))
            }
            _ => Err(self.wrong(&one_of())),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'t>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

struct SeqAcc<'t, 'n> {
    de: NodeDe<'t, 'static>,
    items: &'n [NodeId],
    next: usize,
}

impl<'t> SeqAccess<'t> for SeqAcc<'t, '_> {
    type Error = DeError;

    fn next_element_seed<S: DeserializeSeed<'t>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, DeError> {
        let Some(&item) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        let child = self.de.child(item);
        seed.deserialize(child)
            .map(Some)
            .map_err(|e| e.at(child.pos()).under(Seg::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.next)
    }
}

struct MapAcc<'t> {
    tree: &'t Tree,
    entries: Vec<(NodeId, NodeId)>,
    next: usize,
}

impl<'t> MapAccess<'t> for MapAcc<'t> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'t>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some(&(key, _)) = self.entries.get(self.next) else {
            return Ok(None);
        };
        let de = NodeDe {
            tree: self.tree,
            id: key,
            filter: Filter::ALL,
        };
        seed.deserialize(de).map(Some).map_err(|e| e.at(de.pos()))
    }

    fn next_value_seed<S: DeserializeSeed<'t>>(&mut self, seed: S) -> Result<S::Value, DeError> {
        let Some(&(key, value)) = self.entries.get(self.next) else {
            return Err(DeError::new(DeErrorKind::Custom(
                "a value was read before its key".to_owned(),
            )));
        };
        self.next += 1;
        let de = NodeDe {
            tree: self.tree,
            id: value,
            filter: Filter::ALL,
        };
        let key_text = self.tree.key_text(key).unwrap_or_default().to_owned();
        seed.deserialize(de)
            .map_err(|e| e.at(de.pos()).under(Seg::Key(key_text)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() - self.next)
    }
}

struct EnumAcc<'t> {
    de: NodeDe<'t, 'static>,
    key: NodeId,
    value: Option<NodeId>,
}

impl<'t> EnumAccess<'t> for EnumAcc<'t> {
    type Error = DeError;
    type Variant = VariantAcc<'t>;

    fn variant_seed<S: DeserializeSeed<'t>>(
        self,
        seed: S,
    ) -> Result<(S::Value, VariantAcc<'t>), DeError> {
        let key = self.de.child(self.key);
        let variant = seed.deserialize(key).map_err(|e| e.at(key.pos()))?;
        let name = self
            .de
            .tree
            .key_text(self.key)
            .unwrap_or_default()
            .to_owned();
        Ok((
            variant,
            VariantAcc {
                de: self.de,
                key: self.key,
                value: self.value,
                name,
            },
        ))
    }
}

struct VariantAcc<'t> {
    de: NodeDe<'t, 'static>,
    key: NodeId,
    value: Option<NodeId>,
    name: String,
}

impl<'t> VariantAcc<'t> {
    fn value_de(&self) -> Result<NodeDe<'t, 'static>, DeError> {
        match self.value {
            Some(value) => Ok(self.de.child(value)),
            None => Err(DeError::new(DeErrorKind::InvalidType {
                expected: format!("a mapping {{ {}: ... }}", self.name),
                found: self.de.tree.describe(self.key),
            })
            .at(self.de.tree.node(self.key).pos)),
        }
    }
}

impl<'t> VariantAccess<'t> for VariantAcc<'t> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.value {
            None => Ok(()),
            Some(value) if matches!(self.de.tree.resolved(value), Some(Resolved::Null)) => Ok(()),
            Some(_) => Err(DeError::new(DeErrorKind::InvalidType {
                expected: format!("just '{}'", self.name),
                found: "a mapping".to_owned(),
            })
            .at(self.de.pos())),
        }
    }

    fn newtype_variant_seed<S: DeserializeSeed<'t>>(self, seed: S) -> Result<S::Value, DeError> {
        let de = self.value_de()?;
        seed.deserialize(de)
            .map_err(|e| e.at(de.pos()).under(Seg::Key(self.name)))
    }

    fn tuple_variant<V: Visitor<'t>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        let de = self.value_de()?;
        de.deserialize_seq(visitor)
            .map_err(|e| e.under(Seg::Key(self.name)))
    }

    fn struct_variant<V: Visitor<'t>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let de = self.value_de()?;
        de.deserialize_map(visitor)
            .map_err(|e| e.under(Seg::Key(self.name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::line_index::LineIndex;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        mode: String,
        #[serde(default)]
        on: bool,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Outer {
        files: Vec<Inner>,
        port: Option<u16>,
    }

    fn de<T: for<'t> Deserialize<'t>>(text: &str) -> Result<T, DeError> {
        let (tree, errors) = Tree::build(text, &LineIndex::new(text));
        assert!(errors.is_empty());
        from_node(&tree, tree.root.unwrap())
    }

    #[test]
    fn scalars_as_text_and_quoted_numbers() {
        let outer: Outer = de("files:\n  - mode: 0600\n    on: 'true'\nport: '5432'\n").unwrap();
        assert_eq!(
            outer.files[0],
            Inner {
                mode: "0600".into(),
                on: true
            }
        );
        assert_eq!(outer.port, Some(5432));
    }

    #[test]
    fn errors_carry_position_and_path() {
        let err = de::<Outer>("files:\n  - mode: x\n    moed: y\n").unwrap_err();
        assert_eq!(err.pos, Some(Position::new(3, 5)));
        assert_eq!(err.path(), vec![Seg::Key("files".into()), Seg::Index(0)]);
        assert!(matches!(err.kind, DeErrorKind::UnknownField { ref field, .. } if field == "moed"));

        let err = de::<Outer>("files:\n  - on: yes\n").unwrap_err();
        assert_eq!(err.pos, Some(Position::new(2, 9)));
        assert_eq!(
            err.kind,
            DeErrorKind::InvalidType {
                expected: "true or false".into(),
                found: "'yes'".into()
            }
        );

        let err = de::<Outer>("files:\n  - on: true\n").unwrap_err();
        assert_eq!(err.pos, Some(Position::new(2, 5)));
        assert_eq!(err.kind, DeErrorKind::MissingField("mode"));

        let err = de::<Outer>("files: []\nport: 70000\n").unwrap_err();
        assert_eq!(
            err.kind,
            DeErrorKind::InvalidType {
                expected: "a whole number from 0 to 65535".into(),
                found: "70000".into()
            }
        );
    }
}
