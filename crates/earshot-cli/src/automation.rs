//! Parameter automation over a render: `--story FROM:TO` and `--automation FILE` (CSV rows of
//! `time,param,value`, time in seconds). Between two points a continuous parameter moves
//! linearly (as a DAW's automation line); a discrete one (switch, choice, whole number) holds
//! its last point. Before the first point a lane holds the first value, after the last the
//! last value. Every point is checked against its parameter before the render starts.

use earshot::param_access::{self, ParamInfo};
use earshot::params::EarshotParams;

/// The automation of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub id: String,
    /// (seconds, plain value), sorted by time.
    pub points: Vec<(f64, f32)>,
    pub discrete: bool,
}

impl Lane {
    pub fn value_at(&self, t: f64) -> f32 {
        let i = self.points.partition_point(|(pt, _)| *pt <= t);
        match (i, self.points.len()) {
            (_, 0) => 0.0,
            (0, _) => self.points[0].1,
            (i, n) if i == n || self.discrete => self.points[i - 1].1,
            (i, _) => {
                let ((t0, v0), (t1, v1)) = (self.points[i - 1], self.points[i]);
                let a = ((t - t0) / (t1 - t0)) as f32;
                v0 + (v1 - v0) * a
            }
        }
    }
}

fn info<'a>(all: &'a [ParamInfo], id: &str) -> Result<&'a ParamInfo, String> {
    all.iter()
        .find(|i| i.id == id)
        .ok_or_else(|| format!("unknown parameter id `{id}` (see `earshot params`)"))
}

/// The plain value `text` means for `id` (a number, or the parameter's own text such as
/// `Hard cut`), checked against its range.
fn plain_value(scratch: &EarshotParams, id: &str, text: &str) -> Result<f32, String> {
    param_access::set(scratch, id, text)?;
    param_access::get_plain(scratch, id)
}

/// `--story FROM:TO` over a file of `seconds`.
pub fn story(spec: &str, seconds: f64) -> Result<Lane, String> {
    let bad = || format!("--story `{spec}`: expected FROM:TO, two positions in 0…1 (e.g. 0:1)");
    let (a, b) = spec.split_once(':').ok_or_else(bad)?;
    let (a, b): (f32, f32) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if !(0.0..=1.0).contains(&a) || !(0.0..=1.0).contains(&b) {
        return Err(bad());
    }
    Ok(Lane {
        id: "story".into(),
        points: vec![(0.0, a), (seconds.max(1e-9), b)],
        discrete: false,
    })
}

/// The lanes of an automation CSV (`time,param,value`; a header row and `#` comments are
/// skipped).
pub fn parse_csv(text: &str, source: &str) -> Result<Vec<Lane>, String> {
    let scratch = EarshotParams::default();
    let all = param_access::describe(&scratch);
    let mut lanes: Vec<Lane> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        let at = |e: String| format!("{source}:{}: {e}", n + 1);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if n == 0
            && cells
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case("time"))
        {
            continue;
        }
        let [time, id, value] = cells[..] else {
            return Err(at(format!(
                "expected 3 columns `time,param,value`, got {}",
                cells.len()
            )));
        };
        let t: f64 = time
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| at(format!("`{time}` is not a time in seconds ≥ 0")))?;
        let p = info(&all, id).map_err(at)?;
        let v = plain_value(&scratch, id, value).map_err(at)?;
        match lanes.iter_mut().find(|l| l.id == id) {
            Some(l) => l.points.push((t, v)),
            None => lanes.push(Lane {
                id: id.to_string(),
                points: vec![(t, v)],
                discrete: p.steps.is_some(),
            }),
        }
    }
    for l in &mut lanes {
        // Stable: rows at the same time keep their file order (the later one wins after).
        l.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    if lanes.is_empty() {
        return Err(format!("{source}: no automation rows"));
    }
    Ok(lanes)
}

/// The lanes bound to one parameter object (each parameter looked up once).
pub struct Bound<'a> {
    lanes: Vec<(&'a Lane, param_access::Handle<'a>)>,
}

impl<'a> Bound<'a> {
    pub fn new(params: &'a EarshotParams, lanes: &'a [Lane]) -> Result<Self, String> {
        let lanes = lanes
            .iter()
            .map(|l| Ok((l, param_access::Handle::new(params, &l.id)?)))
            .collect::<Result<_, String>>()?;
        Ok(Self { lanes })
    }

    /// Set every lane's value at `t` seconds. (Every point was checked when parsed; an
    /// interpolated continuous value stays inside its range.)
    pub fn apply(&self, t: f64) {
        for (l, h) in &self.lanes {
            h.set_plain_clamped(l.value_at(t));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_hold_and_interpolate() {
        let lanes = parse_csv(
            "time,param,value\n0,severity,0\n2,severity,1\n1,pov_mode,Hard cut\n",
            "a.csv",
        )
        .unwrap();
        let sev = &lanes[0];
        assert_eq!(sev.value_at(-1.0), 0.0);
        assert_eq!(sev.value_at(1.0), 0.5);
        assert_eq!(sev.value_at(5.0), 1.0);
        let cut = &lanes[1];
        assert!(cut.discrete);
        assert_eq!(cut.value_at(0.5), 1.0);
        assert!(parse_csv("0,nope,1", "b.csv")
            .unwrap_err()
            .contains("b.csv:1: unknown parameter id"));
        assert!(parse_csv("0,severity,2", "c.csv")
            .unwrap_err()
            .contains("out of range"));
        assert!(parse_csv("x,severity,1", "d.csv")
            .unwrap_err()
            .contains("time"));
        assert!(parse_csv("", "e.csv")
            .unwrap_err()
            .contains("no automation"));
        assert!(story("0:1.5", 3.0).is_err());
        assert_eq!(story("0.25:1", 4.0).unwrap().value_at(2.0), 0.625);
    }
}
