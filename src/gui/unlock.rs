//! Encrypted projects in the window: the window's root asks for the passphrase of an encrypted
//! project before showing it, and File › New encrypted project… makes one. The passphrase lives in
//! memory while the project is open and is never written anywhere.

use std::path::PathBuf;

use egui::{RichText, Ui};

use super::app::AccordApp;
use crate::app::open::Purpose;
use crate::app::{AppError, Passphrase, StoreError, Workspace};

/// The window's root: an encrypted project waiting for its passphrase, or the project open.
pub enum Root {
    /// Asking for the passphrase.
    Locked(Unlock),
    /// The project is open.
    Open(Box<AccordApp>),
}

/// The passphrase prompt of an encrypted project.
#[derive(Debug)]
pub struct Unlock {
    path: PathBuf,
    passphrase: String,
    error: Option<String>,
    remembered: (Option<String>, bool),
    focused: bool,
}

impl Root {
    /// The root for a project file: open at once, or locked when it is encrypted. It is opened
    /// the way the command line opens it ([`Workspace::open_for`] for a working session): a
    /// damaged project is refused with the command line's message, one that cannot be written
    /// beside opens read-only, an interrupted purge is finished and the opening backup taken.
    pub fn for_project(path: &std::path::Path) -> anyhow::Result<Self> {
        Ok(
            match Workspace::open_for(path, Purpose::Session, || Err(Opening::Locked)) {
                Ok(workspace) => {
                    let mut app = AccordApp::new(workspace);
                    app.open_index_in_background();
                    Self::Open(Box::new(app))
                }
                Err(Opening::Locked) => Self::Locked(Unlock {
                    path: path.to_path_buf(),
                    passphrase: String::new(),
                    error: None,
                    remembered: (None, false),
                    focused: false,
                }),
                Err(Opening::Failed(e)) => return Err(e.into()),
            },
        )
    }

    /// Applies what eframe remembered (the last rater, the theme) now or once unlocked.
    pub fn remember(&mut self, storage: Option<&dyn eframe::Storage>) {
        let project = match self {
            Self::Locked(u) => Some(u.path.clone()),
            Self::Open(app) => app.project_path().map(std::path::Path::to_path_buf),
        };
        let remembered = super::app::remembered(storage, project.as_deref());
        match self {
            Self::Locked(u) => u.remembered = remembered,
            Self::Open(app) => app.remember(remembered),
        }
    }

    /// The open app, if unlocked.
    #[must_use]
    pub fn app(&self) -> Option<&AccordApp> {
        match self {
            Self::Open(app) => Some(app),
            Self::Locked(_) => None,
        }
    }

    /// Draws one frame.
    pub fn ui_root(&mut self, ui: &mut Ui) {
        match self {
            Self::Open(app) => app.ui_root(ui),
            Self::Locked(unlock) => {
                if let Some(workspace) = unlock.ui(ui) {
                    let mut app = AccordApp::new(workspace);
                    app.open_index_in_background();
                    app.remember(unlock.remembered.clone());
                    *self = Self::Open(Box::new(app));
                }
            }
        }
    }
}

/// Why opening the project did not give a workspace: it is encrypted (the root asks for the
/// passphrase), or it cannot be opened.
enum Opening {
    Locked,
    Failed(AppError),
}

impl From<AppError> for Opening {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

impl eframe::App for Root {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.ui_root(ui);
    }

    fn on_exit(&mut self) {
        if let Self::Open(app) = self {
            app.finish_tasks();
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if let Self::Open(app) = self {
            eframe::App::save(app.as_mut(), storage);
        }
    }
}

impl Unlock {
    /// The prompt; returns the opened project once the passphrase opens it.
    fn ui(&mut self, ui: &mut Ui) -> Option<Workspace> {
        let mut opened = None;
        if !self.focused {
            super::fonts::install(ui.ctx());
        }
        ui.ctx().set_theme(if self.remembered.1 {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.vertical_centered(|ui| {
                ui.add_space(ui.available_height() * 0.25);
                ui.heading("This project is encrypted");
                ui.label(self.path.display().to_string());
                ui.add_space(12.0);
                let field = ui.add(
                    egui::TextEdit::singleline(&mut self.passphrase)
                        .password(true)
                        .hint_text("passphrase")
                        .desired_width(280.0),
                );
                field.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::PasswordInput, true, "Passphrase")
                });
                if !self.focused {
                    field.request_focus();
                    self.focused = true;
                }
                let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                let go = ui.button("Open").clicked() || enter;
                if go && self.passphrase.is_empty() {
                    self.error = Some("Type the project's passphrase first.".into());
                } else if go {
                    let key = Passphrase::new(self.passphrase.clone());
                    match Workspace::open_for(&self.path, Purpose::Session, || Ok::<_, AppError>(key)) {
                        Ok(workspace) => opened = Some(workspace),
                        Err(AppError::Store(StoreError::WrongPassphrase(_))) => {
                            self.error = Some("That passphrase does not open this project.".into());
                        }
                        Err(e) => self.error = Some(e.to_string()),
                    }
                    self.passphrase.clear();
                }
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.label(
                    RichText::new("The passphrase is not stored anywhere; without it the project cannot be read.")
                        .small()
                        .weak(),
                );
            });
        });
        opened
    }
}

/// What the new-project dialog ended with.
pub enum DialogEnd {
    /// A project was made.
    Made(Box<Workspace>),
    /// The dialog was cancelled.
    Cancelled,
}

/// File › New encrypted project…: where, and the passphrase twice.
#[derive(Debug, Default)]
pub struct NewEncryptedDialog {
    path: String,
    first: String,
    second: String,
    error: Option<String>,
}

impl NewEncryptedDialog {
    /// Draws the dialog; returns how it ended, or `None` while it is open.
    pub fn ui(&mut self, ui: &Ui) -> Option<DialogEnd> {
        let mut result = None;
        let mut enter = false;
        egui::Window::new("New encrypted project")
            .collapsible(false)
            .resizable(false)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("new-encrypted").num_columns(2).show(ui, |ui| {
                    ui.label("Save as");
                    ui.add(egui::TextEdit::singleline(&mut self.path).hint_text("/path/to/study.accord"))
                        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Project file"));
                    ui.end_row();
                    ui.label("Passphrase");
                    ui.add(egui::TextEdit::singleline(&mut self.first).password(true))
                        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::PasswordInput, true, "New passphrase"));
                    ui.end_row();
                    ui.label("Again");
                    let again = ui.add(egui::TextEdit::singleline(&mut self.second).password(true));
                    again.widget_info(|| egui::WidgetInfo::labeled(egui::Role::PasswordInput, true, "New passphrase again"));
                    enter = super::state::entered(&again, ui);
                    ui.end_row();
                });
                ui.label(
                    RichText::new(
                        "The passphrase is not stored anywhere: keep it safe. Without it the project, its backups and its rater files cannot be read.",
                    )
                    .small(),
                );
                if let Some(e) = &self.error {
                    ui.colored_label(ui.visuals().error_fg_color, e);
                }
                ui.horizontal(|ui| {
                    if ui.button("Create").clicked() || enter {
                        match self.create() {
                            Ok(workspace) => result = Some(DialogEnd::Made(Box::new(workspace))),
                            Err(e) => self.error = Some(e),
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        result = Some(DialogEnd::Cancelled);
                    }
                });
            });
        result
    }

    fn create(&mut self) -> Result<Workspace, String> {
        if self.first != self.second {
            return Err("The two passphrases differ.".into());
        }
        let path = PathBuf::from(self.path.trim());
        if path.as_os_str().is_empty() {
            return Err("Say where the project goes.".into());
        }
        let key = Passphrase::for_new_project(std::mem::take(&mut self.first))
            .map_err(|e| e.to_string())?;
        self.second.clear();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("Accord project")
            .to_string();
        Workspace::create_encrypted(&path, &name, &key).map_err(|e| e.to_string())
    }
}
