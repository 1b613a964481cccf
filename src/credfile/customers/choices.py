from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Organisation")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    SETTLED = "settled", _("Settled")
    ARCHIVED = "archived", _("Archived")


# Reached only through the file's life cycle (credfile.retention: file_settle, file_archive),
# which records who settled or archived the file and when, and moves its documents.
LIFECYCLE_STATUSES = (CustomerStatus.SETTLED, CustomerStatus.ARCHIVED)
# What a page, the API or a command may set the status to.
SETTABLE_STATUSES = [(s.value, s.label) for s in CustomerStatus if s not in LIFECYCLE_STATUSES]
LIFECYCLE_STATUS_ERROR = _(
    "A file is settled or archived only on its life cycle page, which records who did it "
    "and when; choose another status here."
)


class CustomerCategory(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic customer")
    KEY = "key", _("Key customer")
    REGULAR = "regular", _("Regular customer")
    SMALL = "small", _("Small customer")
    DISTRIBUTOR = "distributor", _("Distributor")


class ProfitClass(models.TextChoices):
    A = "A", _("A — high contribution")
    B = "B", _("B — medium contribution")
    C = "C", _("C — low contribution")
    D = "D", _("D — no or negative contribution")


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017 (国民经济行业分类)."""

    A = "A", _("A Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("B Mining")
    C = "C", _("C Manufacturing")
    D = "D", _("D Electricity, heat, gas and water supply")
    E = "E", _("E Construction")
    F = "F", _("F Wholesale and retail trade")
    G = "G", _("G Transport, storage and postal services")
    H = "H", _("H Accommodation and catering")
    I = "I", _("I Information transmission, software and IT services")  # noqa: E741 - GB/T 4754 section letter
    J = "J", _("J Finance")
    K = "K", _("K Real estate")
    L = "L", _("L Leasing and business services")
    M = "M", _("M Scientific research and technical services")
    N = "N", _("N Water conservancy, environment and public facilities")
    O = "O", _("O Resident services, repair and other services")  # noqa: E741 - GB/T 4754 section letter
    P = "P", _("P Education")
    Q = "Q", _("Q Health and social work")
    R = "R", _("R Culture, sports and entertainment")
    S = "S", _("S Public administration, social security and social organisations")
    T = "T", _("T International organisations")


class Province(models.TextChoices):
    """Provincial-level divisions, keyed by the first two digits of their division code."""

    BJ = "11", _("Beijing")
    TJ = "12", _("Tianjin")
    HE = "13", _("Hebei")
    SX = "14", _("Shanxi")
    NM = "15", _("Inner Mongolia")
    LN = "21", _("Liaoning")
    JL = "22", _("Jilin")
    HL = "23", _("Heilongjiang")
    SH = "31", _("Shanghai")
    JS = "32", _("Jiangsu")
    ZJ = "33", _("Zhejiang")
    AH = "34", _("Anhui")
    FJ = "35", _("Fujian")
    JX = "36", _("Jiangxi")
    SD = "37", _("Shandong")
    HA = "41", _("Henan")
    HB = "42", _("Hubei")
    HN = "43", _("Hunan")
    GD = "44", _("Guangdong")
    GX = "45", _("Guangxi")
    HI = "46", _("Hainan")
    CQ = "50", _("Chongqing")
    SC = "51", _("Sichuan")
    GZ = "52", _("Guizhou")
    YN = "53", _("Yunnan")
    XZ = "54", _("Tibet")
    SN = "61", _("Shaanxi")
    GS = "62", _("Gansu")
    QH = "63", _("Qinghai")
    NX = "64", _("Ningxia")
    XJ = "65", _("Xinjiang")
    TW = "71", _("Taiwan")
    HK = "81", _("Hong Kong")
    MO = "82", _("Macao")


class AddressKind(models.TextChoices):
    REGISTERED = "registered", _("Registered address")
    OFFICE = "office", _("Office address")
    MAILING = "mailing", _("Mailing address")
    HOME = "home", _("Home address")


class ContactRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    FINANCE = "finance", _("Finance contact")
    PURCHASING = "purchasing", _("Purchasing contact")
    MANAGEMENT = "management", _("Management")
    PERSONAL = "personal", _("Personal contact")
    OTHER = "other", _("Other")
