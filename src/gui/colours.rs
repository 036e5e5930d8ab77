//! Code colours: `#RRGGBB` text from the codebook to egui colours, and the translucent tints used to
//! highlight coded text so that overlapping codings stay readable in light and dark themes.

use egui::Color32;

/// Parses `#RRGGBB` (or `RRGGBB`); grey when the text is not a colour.
#[must_use]
pub fn parse(hex: &str) -> Color32 {
    let h = hex.trim().trim_start_matches('#');
    let byte = |i: usize| h.get(i..i + 2).and_then(|s| u8::from_str_radix(s, 16).ok());
    match (h.len(), byte(0), byte(2), byte(4)) {
        (6, Some(r), Some(g), Some(b)) => Color32::from_rgb(r, g, b),
        _ => Color32::GRAY,
    }
}

/// `#RRGGBB` text of a colour.
#[must_use]
pub fn to_hex(c: [u8; 3]) -> String {
    format!("#{:02X}{:02X}{:02X}", c[0], c[1], c[2])
}

/// A statistic's colour against a threshold: green at or above it, the error colour below it, weak
/// when it is undefined.
#[must_use]
pub fn against_threshold(ui: &egui::Ui, value: Option<f64>, threshold: f64) -> Color32 {
    match value {
        Some(v) if v >= threshold => Color32::from_rgb(0x2E, 0x8B, 0x57),
        Some(_) => ui.visuals().error_fg_color,
        None => ui.visuals().weak_text_color(),
    }
}

/// The highlight behind coded text: the code's colour, mostly transparent.
#[must_use]
pub fn tint(c: Color32, dark: bool) -> Color32 {
    let alpha = if dark { 90 } else { 70 };
    Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!(parse("#FF8000"), Color32::from_rgb(255, 128, 0));
        assert_eq!(parse("bad"), Color32::GRAY);
        assert_eq!(to_hex([255, 128, 0]), "#FF8000");
    }
}
