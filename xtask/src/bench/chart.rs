//! The chart of `cargo xtask bench`: an SVG drawn from the same medians as the
//! tables. One group per operation, one horizontal bar per crate (jot on each
//! provider, each peer), nanoseconds on a log scale; a black tick on each jot bar
//! marks the floor of that provider. Plain SVG text: no font or drawing library.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use super::results::{OPERATIONS, PEERS, PROVIDERS, Results, floor, jot};

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 262.0;
/// Where the title, note and legend start.
const MARGIN: f64 = 12.0;
const RIGHT: f64 = 75.0;
const TOP: f64 = 92.0;
const BAR: f64 = 9.0;
const SLOT: f64 = 11.0;
const GROUP_GAP: f64 = 14.0;
const AXIS: f64 = 44.0;

/// One bar series: criterion id, legend label, colour, and the floor drawn on it.
struct Series {
    id: String,
    label: String,
    colour: &'static str,
    floor: Option<String>,
}

fn series() -> Vec<Series> {
    let jot_colours = ["#1b7837", "#5aae61", "#a6dba0"];
    let peer_colours = ["#b2182b", "#ef8a62", "#2166ac", "#67a9cf"];
    let mut out: Vec<Series> = PROVIDERS
        .iter()
        .zip(jot_colours)
        .map(|(p, colour)| Series {
            id: jot(p),
            label: format!("jot ({p})"),
            colour,
            floor: Some(floor(p)),
        })
        .collect();
    out.extend(
        PEERS
            .iter()
            .zip(peer_colours)
            .map(|((id, label), colour)| Series {
                id: (*id).to_owned(),
                label: (*label).to_owned(),
                colour,
                floor: None,
            }),
    );
    out
}

/// Draws the chart of `results` into `path`; `note` is printed under the title
/// (machine, date, run length).
pub(crate) fn write_chart(path: &Path, results: &Results, note: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    fs::write(path, svg(results, note))
        .with_context(|| format!("could not write {}", path.display()))
}

/// The SVG document.
pub(crate) fn svg(results: &Results, note: &str) -> String {
    let series = series();
    let values: Vec<f64> = OPERATIONS
        .iter()
        .flat_map(|(op, _)| {
            series.iter().flat_map(move |s| {
                let floor = s.floor.as_deref().and_then(|f| results.get(op, f));
                results.get(op, &s.id).into_iter().chain(floor)
            })
        })
        .filter(|v| *v > 0.0)
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(0.0, f64::max);
    let (lo_exp, hi_exp) = if values.is_empty() {
        (2, 3)
    } else {
        (
            lo.log10().floor() as i32,
            (hi.log10().ceil() as i32).max(lo.log10().floor() as i32 + 1),
        )
    };
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |ns: f64| LEFT + (ns.log10() - f64::from(lo_exp)) / f64::from(hi_exp - lo_exp) * plot_w;
    let group_h = SLOT * series.len() as f64 + GROUP_GAP;
    let plot_h = group_h * OPERATIONS.len() as f64;
    let height = TOP + plot_h + AXIS;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{MARGIN}" y="22" font-size="16" font-weight="bold">JWT sign and verify: nanoseconds per operation (median; shorter is faster)</text>"#
    );
    let _ = writeln!(
        s,
        r##"<text x="{MARGIN}" y="40" font-size="11" fill="#444">{}</text>"##,
        escape(note)
    );

    // Legend: two rows.
    for (i, item) in series.iter().enumerate() {
        let (col, row) = (i % 4, i / 4);
        let lx = MARGIN + col as f64 * 200.0;
        let ly = 54.0 + row as f64 * 16.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="{ly}" width="12" height="10" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>"#,
            item.colour,
            lx + 16.0,
            ly + 9.0,
            escape(&item.label)
        );
    }
    let (fx, fy) = (MARGIN + 3.0 * 200.0, 54.0 + 16.0);
    let _ = writeln!(
        s,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black" stroke-width="2"/><text x="{}" y="{}" font-size="11">floor (same provider)</text>"#,
        fx + 6.0,
        fy - 1.0,
        fx + 6.0,
        fy + 11.0,
        fx + 16.0,
        fy + 9.0
    );

    // Bands and grid.
    for (g, _) in OPERATIONS.iter().enumerate() {
        if g % 2 == 0 {
            let _ = writeln!(
                s,
                r##"<rect x="0" y="{}" width="{WIDTH}" height="{group_h}" fill="#f3f3f3"/>"##,
                TOP + g as f64 * group_h
            );
        }
    }
    for e in lo_exp..=hi_exp {
        for (m, major) in [(1.0, true), (2.0, false), (5.0, false)] {
            let v = m * 10f64.powi(e);
            if e == hi_exp && !major {
                continue;
            }
            let gx = x(v);
            let (colour, w) = if major { ("#999", 1.0) } else { ("#ddd", 0.7) };
            let _ = writeln!(
                s,
                r#"<line x1="{gx:.1}" y1="{TOP}" x2="{gx:.1}" y2="{:.1}" stroke="{colour}" stroke-width="{w}"/>"#,
                TOP + plot_h
            );
            if major {
                let _ = writeln!(
                    s,
                    r#"<text x="{gx:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
                    TOP + plot_h + 15.0,
                    duration(v)
                );
            }
        }
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#444">time per operation, log scale</text>"##,
        LEFT + plot_w / 2.0,
        TOP + plot_h + 34.0
    );

    // Groups.
    for (g, (op, label)) in OPERATIONS.iter().enumerate() {
        let gy = TOP + g as f64 * group_h + GROUP_GAP / 2.0;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            LEFT - 8.0,
            gy + SLOT * series.len() as f64 / 2.0,
            escape(label)
        );
        for (i, item) in series.iter().enumerate() {
            let Some(v) = results.get(op, &item.id).filter(|v| *v > 0.0) else {
                continue;
            };
            let by = gy + i as f64 * SLOT;
            let bw = (x(v) - LEFT).max(1.0);
            let _ = writeln!(
                s,
                r#"<rect x="{LEFT}" y="{by:.1}" width="{bw:.1}" height="{BAR}" fill="{}"><title>{}: {} ns</title></rect>"#,
                item.colour,
                escape(&item.label),
                super::table::ns(Some(v))
            );
            let floor = item.floor.as_deref().and_then(|f| results.get(op, f));
            // The value goes after the bar or the floor tick, whichever ends later.
            let end = floor.map_or(LEFT + bw, |f| (LEFT + bw).max(x(f)));
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="8.5" fill="#333">{}</text>"##,
                end + 3.0,
                by + BAR - 1.0,
                duration(v)
            );
            if let Some(f) = floor {
                let tx = x(f);
                let _ = writeln!(
                    s,
                    r#"<line x1="{tx:.1}" y1="{:.1}" x2="{tx:.1}" y2="{:.1}" stroke="black" stroke-width="2"><title>floor: {} ns</title></line>"#,
                    by - 1.5,
                    by + BAR + 1.5,
                    super::table::ns(Some(f))
                );
            }
        }
    }
    let _ = writeln!(
        s,
        r#"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{:.1}" stroke="black"/>"#,
        TOP + plot_h
    );
    s.push_str("</svg>\n");
    s
}

/// 801 ns, 27.5 µs, 2.51 ms.
fn duration(ns: f64) -> String {
    let (v, unit) = if ns >= 1e6 {
        (ns / 1e6, "ms")
    } else if ns >= 1e3 {
        (ns / 1e3, "µs")
    } else {
        (ns, "ns")
    };
    let digits = if v >= 100.0 || unit == "ns" {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    let text = format!("{v:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    format!("{text} {unit}")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Results {
        let mut r = Results::default();
        r.insert("hs256_sign", "jot-ring", 801.0);
        r.insert("hs256_sign", "floor-ring", 591.0);
        r.insert("hs256_sign", "jsonwebtoken-rust_crypto", 842.0);
        r.insert("hs256_sign", "jwt-simple", 3_586.0);
        r.insert("rs256_sign", "jot-aws-lc-rs", 666_413.0);
        r.insert("rs256_sign", "jwt-compact", 2_507_067.0);
        r.insert("eddsa_verify", "jot-rust-crypto", 44_000.0);
        r
    }

    #[test]
    fn writes_a_valid_svg_with_a_group_per_operation_and_a_bar_per_median() {
        let path = std::env::temp_dir()
            .join(format!("xtask-chart-{}", std::process::id()))
            .join("bench.svg");
        write_chart(&path, &sample(), "test numbers & <no> machine").expect("write");
        let text = fs::read_to_string(&path).expect("read back");
        fs::remove_dir_all(path.parent().expect("dir")).expect("clean up");

        let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        for (_, label) in OPERATIONS {
            assert!(texts.contains(&label), "group label {label}");
        }
        for label in [
            "jot (ring)",
            "jot (aws-lc-rs)",
            "jot (rust-crypto)",
            "jwt-compact",
        ] {
            assert!(texts.contains(&label), "legend {label}");
        }
        assert!(texts.contains(&"test numbers & <no> machine"));
        // Axis from 100 ns to 10 ms: the smallest and largest medians fit.
        assert!(texts.contains(&"100 ns") && texts.contains(&"10 ms"));
        // One bar per median (the floor is a tick, not a bar), with its value.
        let bars: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("height") == Some("9"))
            .filter_map(|n| n.first_element_child().and_then(|t| t.text()))
            .collect();
        assert_eq!(bars.len(), 6, "{bars:?}");
        assert!(bars.contains(&"jot (aws-lc-rs): 666,413 ns"));
        assert!(texts.contains(&"2.51 ms") && texts.contains(&"801 ns"));
        let ticks = doc
            .descendants()
            .filter(|n| n.has_tag_name("line"))
            .filter_map(|n| n.first_element_child().and_then(|t| t.text()))
            .collect::<Vec<_>>();
        assert_eq!(ticks, ["floor: 591 ns"]);
    }

    #[test]
    fn longer_times_draw_longer_bars() {
        let svg = svg(&sample(), "");
        let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
        let width = |title: &str| -> f64 {
            doc.descendants()
                .find(|n| {
                    n.has_tag_name("rect")
                        && n.first_element_child().and_then(|t| t.text()) == Some(title)
                })
                .and_then(|n| n.attribute("width"))
                .and_then(|w| w.parse().ok())
                .expect(title)
        };
        let jot = width("jot (ring): 801 ns");
        let simple = width("jwt-simple: 3,586 ns");
        let compact = width("jwt-compact: 2,507,067 ns");
        assert!(jot < simple && simple < compact);
    }

    #[test]
    fn formats_durations() {
        assert_eq!(duration(801.4), "801 ns");
        assert_eq!(duration(27_509.0), "27.5 µs");
        assert_eq!(duration(2_507_067.0), "2.51 ms");
        assert_eq!(duration(1_000.0), "1 µs");
        assert_eq!(duration(100_000.0), "100 µs");
    }

    #[test]
    fn an_empty_run_still_draws_an_axis() {
        let svg = svg(&Results::default(), "nothing measured");
        roxmltree::Document::parse(&svg).expect("well-formed XML");
        assert!(svg.contains("nothing measured"));
    }
}
