//! Every text the page shows, in English and 简体中文, and the language choice (the browser's language
//! by default, then whatever the visitor picked, kept in localStorage). Object names, component names
//! and kubectl's own output stay as Kubernetes prints them in both languages.

use gloo::storage::{LocalStorage, Storage};

const STORAGE_KEY: &str = "kubarium.lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The BCP 47 tag, for `lang` attributes and storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's name in itself, for the switch.
    pub fn label(self) -> &'static str {
        match self {
            Lang::En => "EN",
            Lang::Zh => "简体中文",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        if code.to_ascii_lowercase().starts_with("zh") {
            Some(Lang::Zh)
        } else if code.to_ascii_lowercase().starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The stored choice, else the browser's language, else English.
    pub fn load() -> Lang {
        let stored: Option<String> = LocalStorage::get(STORAGE_KEY).ok();
        stored
            .as_deref()
            .and_then(Lang::from_code)
            .or_else(|| gloo::utils::window().navigator().language().as_deref().and_then(Lang::from_code))
            .unwrap_or(Lang::En)
    }

    pub fn store(self) {
        // A full or disabled storage only means the choice is not remembered.
        let _ = LocalStorage::set(STORAGE_KEY, self.code());
    }
}

/// A UI text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum T {
    Tagline,
    Language,
    Play,
    Pause,
    StepEntry,
    StepSecond,
    StepTen,
    Speed,
    VirtualTime,
    TimeControls,
    Architecture,
    ClusterView,
    Inspector,
    Resources,
    Views,
    Lessons,
    Share,
    ShareLink,
    EmbedSnippet,
    Copy,
    DownloadScenario,
    ImportScenario,
    TooLongForLink,
    OpenInKubarium,
    BadLink,
    BadSave,
    DefaultCluster,
    Dismiss,
    LessonClose,
    LessonStep,
    LessonDone,
    LessonNotYet,
    LessonHint,
    LessonSolution,
    LessonRunSolution,
    LessonPrevious,
    LessonNext,
    ControlPlane,
    WorkerNode,
    Captions,
    Journey,
    Live,
    Previous,
    Next,
    PlayJourney,
    NoJourney,
    JourneyOf,
    Step,
    MoreNodes,
    Request,
    Response,
    WatchNote,
    Storage,
    Decision,
    Nodes,
    Unscheduled,
    Cpu,
    Memory,
    Taints,
    Cordoned,
    NotReady,
    Ready,
    Pods,
    HeatMap,
    Close,
    Yaml,
    Edit,
    Apply,
    Cancel,
    Applied,
    Events,
    NoEvents,
    Owners,
    Dependents,
    None,
    SchedulerExplanation,
    NoAttempt,
    Namespaces,
    Workloads,
    Services,
    Endpoints,
    StandalonePods,
    DarkTheme,
    Timeline,
    RunUntilIdle,
    Cordon,
    Uncordon,
    StopKubelet,
    StartKubelet,
    RemoveNode,
    AddNode,
    Stop,
    Start,
    Stopped,
    KubeletStopped,
    ContainerRuntime,
    FaultActions,
    NodeActions,
    FilterObject,
    FilterComponent,
    AllComponents,
    KubernetesEvents,
    HideHeartbeats,
    Rows,
}

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: T) -> &'static str {
    let (en, zh) = match key {
        T::Tagline => ("Kubernetes v1.36 in a browser tab", "浏览器标签页里的 Kubernetes v1.36"),
        T::Language => ("Language", "语言"),
        T::Play => ("Play", "播放"),
        T::Pause => ("Pause", "暂停"),
        T::StepEntry => ("Step one event", "单步（一个事件）"),
        T::StepSecond => ("+1 s", "+1 秒"),
        T::StepTen => ("+10 s", "+10 秒"),
        T::Speed => ("Speed", "速度"),
        T::VirtualTime => ("Virtual time", "虚拟时间"),
        T::TimeControls => ("Time controls", "时间控制"),
        T::Architecture => ("Architecture", "架构"),
        T::ClusterView => ("Cluster", "集群"),
        T::Inspector => ("Inspector", "检查器"),
        T::Resources => ("Resources", "资源"),
        T::Views => ("Views", "视图"),
        T::Lessons => ("Lessons", "教程"),
        T::Share => ("Share", "分享"),
        T::ShareLink => ("Link to this session", "本次会话的链接"),
        T::EmbedSnippet => ("Embed in a page", "嵌入网页"),
        T::Copy => ("Copy", "复制"),
        T::DownloadScenario => ("Download the scenario (YAML)", "下载场景文件（YAML）"),
        T::ImportScenario => ("Open a scenario file", "打开场景文件"),
        T::TooLongForLink => (
            "This session is too long for a link; download it as a file instead.",
            "本次会话太长，无法放进链接；请下载为文件分享。",
        ),
        T::OpenInKubarium => ("Open in Kubarium ↗", "在 Kubarium 中打开 ↗"),
        T::BadLink => ("This share link could not be opened:", "无法打开这个分享链接："),
        T::BadSave => ("The saved session could not be restored:", "无法恢复保存的会话："),
        T::DefaultCluster => ("Showing the default cluster.", "现在显示的是默认集群。"),
        T::Dismiss => ("Dismiss", "关闭提示"),
        T::LessonClose => ("Close the lesson", "关闭教程"),
        T::LessonStep => ("Step", "步骤"),
        T::LessonDone => ("Done: the cluster is where this step wants it", "完成：集群已达到这一步的要求"),
        T::LessonNotYet => ("Not yet", "尚未完成"),
        T::LessonHint => ("Hint", "提示"),
        T::LessonSolution => ("Solution", "答案"),
        T::LessonRunSolution => ("Run it in the terminal", "在终端中运行"),
        T::LessonPrevious => ("Previous", "上一步"),
        T::LessonNext => ("Next", "下一步"),
        T::ControlPlane => ("Control plane", "控制平面"),
        T::WorkerNode => ("Node", "节点"),
        T::Captions => ("What happens", "发生了什么"),
        T::Journey => ("Journey", "旅程"),
        T::Live => ("Live", "实时"),
        T::Previous => ("Previous step", "上一步"),
        T::Next => ("Next step", "下一步"),
        T::PlayJourney => ("Play the journey", "播放旅程"),
        T::NoJourney => (
            "Type a command in the terminal: its journey through the cluster plays here.",
            "在终端中输入命令：它在集群中的旅程会在这里播放。",
        ),
        T::JourneyOf => ("Journey of", "命令旅程："),
        T::Step => ("Step", "步骤"),
        T::MoreNodes => ("more nodes", "个其他节点"),
        T::Request => ("request", "请求"),
        T::Response => ("response", "响应"),
        T::WatchNote => ("watch notification", "watch 通知"),
        T::Storage => ("etcd write", "etcd 写入"),
        T::Decision => ("decision", "决策"),
        T::Nodes => ("Nodes", "节点"),
        T::Unscheduled => ("Not scheduled yet", "尚未调度"),
        T::Cpu => ("CPU", "CPU"),
        T::Memory => ("Memory", "内存"),
        T::Taints => ("Taints", "污点"),
        T::Cordoned => ("SchedulingDisabled", "已禁止调度"),
        T::NotReady => ("NotReady", "未就绪"),
        T::Ready => ("Ready", "就绪"),
        T::Pods => ("pods", "个 Pod"),
        T::HeatMap => ("Pods per node (heat map)", "每个节点的 Pod 数（热力图）"),
        T::Close => ("Close", "关闭"),
        T::Yaml => ("YAML", "YAML"),
        T::Edit => ("Edit", "编辑"),
        T::Apply => ("Apply", "应用"),
        T::Cancel => ("Cancel", "取消"),
        T::Applied => ("Applied.", "已应用。"),
        T::Events => ("Events", "事件"),
        T::NoEvents => ("No events.", "没有事件。"),
        T::Owners => ("Owner", "属主"),
        T::Dependents => ("Dependents", "从属对象"),
        T::None => ("none", "无"),
        T::SchedulerExplanation => ("Scheduler's explanation", "调度器的解释"),
        T::NoAttempt => ("No scheduling attempt on record for this pod.", "没有此 Pod 的调度记录。"),
        T::Namespaces => ("Namespaces", "命名空间"),
        T::Workloads => ("Workloads", "工作负载"),
        T::Services => ("Services", "服务"),
        T::Endpoints => ("endpoints", "个端点"),
        T::StandalonePods => ("Pods without a controller", "没有控制器的 Pod"),
        T::DarkTheme => ("Dark theme", "深色主题"),
        T::Timeline => ("Timeline", "时间线"),
        T::RunUntilIdle => ("Run until idle", "运行到空闲"),
        T::Cordon => ("Cordon", "封锁"),
        T::Uncordon => ("Uncordon", "解除封锁"),
        T::StopKubelet => ("Stop kubelet", "停止 kubelet"),
        T::StartKubelet => ("Start kubelet", "启动 kubelet"),
        T::RemoveNode => ("Remove", "移除"),
        T::AddNode => ("Add node", "添加节点"),
        T::Stop => ("Stop", "停止"),
        T::Start => ("Start", "启动"),
        T::Stopped => ("stopped", "已停止"),
        T::KubeletStopped => ("kubelet stopped", "kubelet 已停止"),
        T::ContainerRuntime => ("container runtime", "容器运行时"),
        T::FaultActions => ("Faults", "故障"),
        T::NodeActions => ("Node actions", "节点操作"),
        T::FilterObject => ("Filter by object", "按对象筛选"),
        T::FilterComponent => ("Component", "组件"),
        T::AllComponents => ("all components", "所有组件"),
        T::KubernetesEvents => ("Kubernetes events", "Kubernetes 事件"),
        T::HideHeartbeats => ("Hide heartbeats", "隐藏心跳"),
        T::Rows => ("rows", "行"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}
