//! Site values as nested vectors (one `Vec` per enclosing plate) and as flat lists of reals.

/// A value nested in one `Vec` per plate: `f64` outside plates, `Vec<f64>` in one plate,
/// `Vec<Vec<f64>>` in two.
///
/// # Example
///
/// ```
/// use model_runtime::site::Nested;
///
/// let mut v: Vec<Vec<f64>> = Vec::new();
/// v.put(&[0, 0], 1.0);
/// v.put(&[0, 1], 2.0);
/// v.put(&[1, 0], 3.0);
/// assert_eq!(v, vec![vec![1.0, 2.0], vec![3.0]]);
/// assert_eq!(v.element(&[0, 1]), Some(&2.0));
/// ```
pub trait Nested<V> {
    /// Stores `value` at `index`, growing the vectors as plates are entered in order.
    fn put(&mut self, index: &[usize], value: V);
    /// The element at `index`, if present.
    fn element(&self, index: &[usize]) -> Option<&V>;
}

macro_rules! leaf_nested {
    ($($ty:ty),*) => {$(
        impl Nested<$ty> for $ty {
            #[inline]
            fn put(&mut self, _index: &[usize], value: $ty) {
                *self = value;
            }
            #[inline]
            fn element(&self, _index: &[usize]) -> Option<&$ty> {
                Some(self)
            }
        }
    )*};
}
leaf_nested!(f64, bool, u64);

macro_rules! vector_leaf_nested {
    ($($ty:ty),*) => {$(
        /// A vector site's value is one leaf: `Vec<_>` outside plates, `Vec<Vec<_>>` in one plate.
        impl Nested<Vec<$ty>> for Vec<$ty> {
            fn put(&mut self, _index: &[usize], value: Vec<$ty>) {
                *self = value;
            }
            fn element(&self, _index: &[usize]) -> Option<&Vec<$ty>> {
                Some(self)
            }
        }
    )*};
}
vector_leaf_nested!(f64, bool, u64);

impl<V, N: Nested<V> + Default> Nested<V> for Vec<N> {
    fn put(&mut self, index: &[usize], value: V) {
        let Some((&i, rest)) = index.split_first() else {
            return;
        };
        if i >= self.len() {
            self.resize_with(i + 1, N::default);
        }
        self[i].put(rest, value);
    }

    fn element(&self, index: &[usize]) -> Option<&V> {
        let (&i, rest) = index.split_first()?;
        self.get(i)?.element(rest)
    }
}

/// How the scalar elements of a site are named in flat columns.
///
/// # Example
///
/// ```
/// use model_runtime::site::NameStyle;
///
/// assert_eq!(NameStyle::Brackets.name("z", &[0, 2]), "z[0,2]");
/// assert_eq!(NameStyle::CmdStan.name("z", &[0, 2]), "z.1.3");
/// assert_eq!(NameStyle::CmdStan.name("mu", &[]), "mu");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameStyle {
    /// `theta[2]`, `z[0,1]`: indices from 0, as ArviZ and NumPyro print them.
    Brackets,
    /// `theta.3`, `z.1.2`: indices from 1, as CmdStan's CSV files name columns.
    CmdStan,
}

impl NameStyle {
    /// The name of the element of site `name` at `index` (empty for a scalar site).
    pub fn name(self, name: &str, index: &[usize]) -> String {
        use core::fmt::Write;
        let mut out = name.to_string();
        match self {
            NameStyle::Brackets if !index.is_empty() => {
                out.push('[');
                for (k, i) in index.iter().enumerate() {
                    let sep = if k > 0 { "," } else { "" };
                    let _ = write!(out, "{sep}{i}");
                }
                out.push(']');
            }
            NameStyle::Brackets => {}
            NameStyle::CmdStan => {
                for i in index {
                    let _ = write!(out, ".{}", i + 1);
                }
            }
        }
        out
    }
}

/// Site values seen as flat lists of real numbers, for summaries and output files.
pub trait Flatten {
    /// Appends the scalar elements, in row-major order.
    fn flatten_into(&self, out: &mut Vec<f64>);
    /// Appends the element names in `style` (`name` for a scalar), `index` being the
    /// enclosing position.
    fn names_into(
        &self,
        name: &str,
        style: NameStyle,
        index: &mut Vec<usize>,
        out: &mut Vec<String>,
    );
    /// The value as JSON: a number (`null` for a non-finite one, which JSON lacks), or nested
    /// arrays inside plates.
    fn to_json(&self) -> serde_json::Value;
    /// Records the lengths of the nested vectors from `level` down (the longest at each
    /// level), for the shape of a site: nothing for a scalar.
    fn dims_into(&self, level: usize, dims: &mut Vec<usize>) {
        let _ = (level, dims);
    }
}

/// A real number as JSON (non-finite values, which JSON lacks, as `null`).
pub fn json_number(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

macro_rules! leaf_flatten {
    ($($ty:ty => $conv:expr),*) => {$(
        impl Flatten for $ty {
            fn flatten_into(&self, out: &mut Vec<f64>) {
                let conv: fn(&$ty) -> f64 = $conv;
                out.push(conv(self));
            }
            fn to_json(&self) -> serde_json::Value {
                let conv: fn(&$ty) -> f64 = $conv;
                json_number(conv(self))
            }
            fn names_into(&self, name: &str, style: NameStyle, index: &mut Vec<usize>, out: &mut Vec<String>) {
                out.push(style.name(name, index));
            }
        }
    )*};
}
leaf_flatten!(f64 => |x| *x, bool => |x| f64::from(u8::from(*x)), u64 => |x| *x as f64);

impl<N: Flatten> Flatten for Vec<N> {
    fn flatten_into(&self, out: &mut Vec<f64>) {
        for element in self {
            element.flatten_into(out);
        }
    }
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(self.iter().map(Flatten::to_json).collect())
    }
    fn dims_into(&self, level: usize, dims: &mut Vec<usize>) {
        if dims.len() <= level {
            dims.resize(level + 1, 0);
        }
        dims[level] = dims[level].max(self.len());
        for element in self {
            element.dims_into(level + 1, dims);
        }
    }
    fn names_into(
        &self,
        name: &str,
        style: NameStyle,
        index: &mut Vec<usize>,
        out: &mut Vec<String>,
    ) {
        for (i, element) in self.iter().enumerate() {
            index.push(i);
            element.names_into(name, style, index, out);
            index.pop();
        }
    }
}

/// Appends the named scalar columns of one site's draws (one entry per draw) to `out`. Element
/// names come from the first draw; draws of another shape are left out of the columns.
pub fn flatten_column<F: Flatten>(
    name: &str,
    style: NameStyle,
    draws: &[F],
    out: &mut Vec<(String, Vec<f64>)>,
) {
    let Some(first) = draws.first() else { return };
    let mut names = Vec::new();
    first.names_into(name, style, &mut Vec::new(), &mut names);
    let start = out.len();
    out.extend(
        names
            .into_iter()
            .map(|n| (n, Vec::with_capacity(draws.len()))),
    );
    let mut buffer = Vec::new();
    for draw in draws {
        buffer.clear();
        draw.flatten_into(&mut buffer);
        if buffer.len() == out.len() - start {
            for (column, value) in out[start..].iter_mut().zip(&buffer) {
                column.1.push(*value);
            }
        }
    }
}
