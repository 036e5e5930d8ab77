//! The bundled font (`DejaVu Sans`, under its own free licence in `assets/fonts/`), installed first in
//! every family so the window and the UI tests render the same glyphs, accents and symbols of the
//! samples included, whatever fonts the machine has.

use egui::{FontData, FontDefinitions, FontFamily};

const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Installs the bundled font as the first choice for proportional and monospace text.
pub fn install(ctx: &egui::Context) {
    let mut fonts = FontDefinitions::default();
    fonts.font_data.insert(
        "DejaVuSans".to_owned(),
        std::sync::Arc::new(FontData::from_static(DEJAVU_SANS)),
    );
    for family in [FontFamily::Proportional, FontFamily::Monospace] {
        fonts
            .families
            .entry(family)
            .or_default()
            .insert(0, "DejaVuSans".to_owned());
    }
    ctx.set_fonts(fonts);
}
