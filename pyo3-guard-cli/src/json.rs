//! A tiny JSON writer: the CLI only ever writes objects of strings, numbers, booleans, lists of
//! strings and lists of such objects, so a serializer crate would cost more than it saves.

/// A JSON object written field by field, in order.
pub struct Object {
    out: String,
}

impl Object {
    pub fn new() -> Object {
        Object {
            out: String::from("{"),
        }
    }

    fn key(&mut self, key: &str) {
        if self.out.len() > 1 {
            self.out.push_str(", ");
        }
        push_str(&mut self.out, key);
        self.out.push_str(": ");
    }

    pub fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        push_str(&mut self.out, value);
    }

    pub fn opt_str(&mut self, key: &str, value: Option<&str>) {
        match value {
            Some(value) => self.str(key, value),
            None => self.raw(key, "null"),
        }
    }

    pub fn num(&mut self, key: &str, value: u64) {
        self.raw(key, &value.to_string());
    }

    pub fn opt_num(&mut self, key: &str, value: Option<u64>) {
        match value {
            Some(value) => self.num(key, value),
            None => self.raw(key, "null"),
        }
    }

    pub fn opt_bool(&mut self, key: &str, value: Option<bool>) {
        self.raw(
            key,
            value.map_or("null", |b| if b { "true" } else { "false" }),
        );
    }

    pub fn strs(&mut self, key: &str, values: &[String]) {
        self.key(key);
        self.out.push('[');
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            push_str(&mut self.out, value);
        }
        self.out.push(']');
    }

    /// A list of objects, each already written (by [`Object::finish`]).
    pub fn objects(&mut self, key: &str, objects: Vec<String>) {
        self.raw(key, &format!("[{}]", objects.join(", ")));
    }

    fn raw(&mut self, key: &str, value: &str) {
        self.key(key);
        self.out.push_str(value);
    }

    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// Appends `value` as a JSON string literal.
fn push_str(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_every_kind_of_value() {
        let mut obj = Object::new();
        obj.str("a", "q\"\\\n\u{1}é");
        obj.opt_str("b", None);
        obj.num("c", 7);
        obj.opt_bool("d", Some(false));
        obj.strs("e", &["x".into(), "y".into()]);
        obj.strs("f", &[]);
        let mut inner = Object::new();
        inner.num("n", 1);
        obj.objects("g", vec![inner.finish(), Object::new().finish()]);
        assert_eq!(
            obj.finish(),
            r#"{"a": "q\"\\\n\u0001é", "b": null, "c": 7, "d": false, "e": ["x", "y"], "f": [], "g": [{"n": 1}, {}]}"#
        );
    }
}
