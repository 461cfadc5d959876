//! Snapshots of every dialog in Simplified Chinese at 80×24, and checks that
//! the Chinese dialogs still fit (and keep their way on) at the minimum size.
//! Everything, key presses included, runs in Chinese: messages are made when
//! a key is handled as well as when a frame is drawn.

use insta::assert_snapshot;
use time::macros::datetime;

use crate::i18n::{Lang, with_lang};
use crate::tui::app::App;
use crate::tui::event::{Event, Key};
use crate::tui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::testing::*;
use crate::tui::update::update;

use Key::*;

fn zh<R>(f: impl FnOnce() -> R) -> R {
    with_lang(Lang::ZhCn, f)
}

/// The lifecycle records, with the key named `name` selected.
fn lifecycle_app_on(name: &str) -> App {
    let mut app = app_with(lifecycle_records());
    while selected_name(&app).as_deref() != Some(name) {
        press(&mut app, &[Down]);
    }
    app
}

/// The secret dialog of a key just created with a Chinese name.
fn app_with_new_secret() -> App {
    let mut app = app();
    let created = record(7, "支付-网关", datetime!(2026-03-15 11:59 UTC), None);
    update(&mut app, Event::Created(Ok((demo_secret(), created))));
    app
}

#[test]
fn create_dialog_zh() {
    zh(|| {
        let mut app = app();
        press(&mut app, &[Char('n')]);
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("我已阅读并同意协议，并了解相关风险"), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn create_dialog_invalid_chinese_name_zh() {
    zh(|| {
        let mut app = app();
        press(&mut app, &[Char('n')]);
        type_text(&mut app, "支付 网关");
        press(&mut app, &[Enter]);
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("还不能创建：请先修正名称（见上方）"), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn create_dialog_agreement_ticked_zh() {
    zh(|| {
        let mut app = app();
        press(&mut app, &[Char('n')]);
        type_text(&mut app, "支付-网关");
        press(&mut app, &[Tab, Char(' '), Tab, Right, Tab]);
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("[x] 我已阅读"), "{screen}");
        assert!(screen.contains("> 确定 <"), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn agreement_viewer_zh() {
    zh(|| {
        let mut app = app();
        press(&mut app, &[Char('n'), Ctrl('o')]);
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("API 密钥使用协议"), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn secret_dialog_zh() {
    zh(|| {
        let mut app = app_with_new_secret();
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains(demo_secret().expose()), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn secret_dialog_after_a_copy_through_tmux_zh() {
    zh(|| {
        let mut app = app_with_new_secret();
        let outcome = crate::clipboard::CopyOutcome::SentToTerminal {
            kind: crate::clipboard::CopyKind::Secret,
            multiplexer: crate::clipboard::Multiplexer::Tmux,
            clears_after: Some(std::time::Duration::from_secs(30)),
            system_error: None,
        };
        let result = crate::tui::CopyResult::Copied(outcome.message());
        update(&mut app, Event::Copied { secret: true, result });
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn secret_dialog_asks_before_closing_zh() {
    zh(|| {
        let mut app = app_with_new_secret();
        press(&mut app, &[Enter]);
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("不复制就关闭？（y/n）"), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn rename_dialog_zh() {
    zh(|| {
        let mut app = app();
        press(&mut app, &[Down, Char('e'), Ctrl('u')]);
        type_text(&mut app, "生产-网关_03");
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn delete_dialog_zh() {
    zh(|| {
        let mut app = lifecycle_app_on("active-key");
        press(&mut app, &[Char('d'), Tab]);
        let screen = draw(&mut app, 80, 24);
        assert!(
            screen.contains("停止工作"),
            "the warning says applications stop working:\n{screen}"
        );
        assert_snapshot!(screen);
    });
}

#[test]
fn rotate_dialog_zh() {
    zh(|| {
        let mut app = lifecycle_app_on("active-key");
        press(&mut app, &[Char('r')]);
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn rotate_dialog_during_a_grace_asks_zh() {
    zh(|| {
        let mut app = lifecycle_app_on("rotating-key");
        press(&mut app, &[Char('r'), Enter]);
        let screen = draw(&mut app, 80, 24);
        assert!(screen.contains("（y/n）"), "{screen}");
        assert_snapshot!(screen);
    });
}

#[test]
fn expiry_dialog_zh() {
    zh(|| {
        let mut app = lifecycle_app_on("expires-later");
        press(&mut app, &[Char('x'), Left, Tab]);
        type_text(&mut app, "2026-04-0");
        press(&mut app, &[Enter]);
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn actions_menu_zh() {
    zh(|| {
        let mut app = app();
        press(&mut app, &[Down, Enter, Down]);
        assert_snapshot!(draw(&mut app, 80, 24));
    });
}

#[test]
fn every_chinese_dialog_fits_and_keeps_its_way_on_at_the_minimum_size() {
    let cases: [(&[Key], &str); 9] = [
        (&[Char('n')], "[ 确定 ]"),
        (&[Char('n'), Ctrl('o')], "API 密钥使用协议"),
        (&[Char('e')], "编辑名称"),
        (&[Char('d')], "[ 删除 ]"),
        (&[Enter], "操作"),
        (&[Char('r')], "宽限期"),
        (&[Char('x')], "设置有效期"),
        (&[Char('x'), Left], "日期"),
        (&[Char('n'), Tab, Tab, Left], "[ 确定 ]"),
    ];
    zh(|| {
        for (keys, way_on) in cases {
            let mut app = lifecycle_app_on("active-key");
            press(&mut app, keys);
            let screen = draw(&mut app, MIN_WIDTH, MIN_HEIGHT);
            assert!(screen.contains('╰'), "{keys:?}: bottom border cut off\n{screen}");
            assert!(screen.contains(way_on), "{keys:?}: {way_on}\n{screen}");
        }
        let mut app = app_with_new_secret();
        let screen = draw(&mut app, MIN_WIDTH, MIN_HEIGHT);
        assert!(screen.contains(demo_secret().expose()), "{screen}");
        assert!(screen.contains('╰'), "{screen}");
    });
}

#[test]
fn a_chinese_name_beside_a_dialog_is_never_cut_in_half() {
    // At 60×15 the details line under the table runs beside the actions
    // menu, and its 测 straddles the blank column left of the border.
    let mut app = app_with(vec![record(1, "小窗口-测试", datetime!(2026-03-10 09:30 UTC), None)]);
    press(&mut app, &[Enter]);
    let screen = draw(&mut app, 60, 15);
    let beside = screen.lines().find(|l| l.contains("小窗口-") && l.contains("Copy ID"));
    let beside = beside.unwrap_or_else(|| panic!("the details line runs beside the menu:\n{screen}"));
    assert!(
        beside.contains("小窗口-  │"),
        "half a character before the border:\n{screen}"
    );
}
