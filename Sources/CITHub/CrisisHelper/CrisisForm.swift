import Vapor
import CITDomain

/// The helper's form as posted (no JavaScript) or read by crisis.js. Field names are
/// short because they are also the browser script's names; every field is optional in
/// decoding so a missing one is a message beside the field, not a 400.
struct CrisisForm: Content, Sendable, Equatable {
    var name: String?
    var location: String?
    var relation: String?
    var lovedName: String?
    var happening: String?
    var onFile: String?
    var onFileDetail: String?
    var quiet: String?
    var weapons: String?
    var threatSelf: String?
    var threatYou: String?
    var threatOthers: String?
    var trigLoud: String?
    var trigOver: String?
    var trigClose: String?
    var trigOther: String?
    var helpSoft: String?
    var helpDirect: String?
    var helpTrusted: String?
    var helpOther: String?
    var diagnosis: String?
    var provider: String?
    var substance: String?
    var substanceDetail: String?
    var medications: String?
    var selfCare: String?

    /// Longest answer accepted, in UTF-16 code units as the browser's `maxlength` counts.
    static let maxLength = 500
    static let textFields: [String] = [
        "name", "location", "relation", "lovedName", "happening", "onFileDetail",
        "weapons", "trigOther", "helpOther", "diagnosis", "provider",
        "substanceDetail", "medications",
    ]
    static let requiredFields: [String] = ["name", "location", "relation", "lovedName", "happening"]

    func text(_ field: String) -> String {
        switch field {
        case "name": name ?? ""
        case "location": location ?? ""
        case "relation": relation ?? ""
        case "lovedName": lovedName ?? ""
        case "happening": happening ?? ""
        case "onFileDetail": onFileDetail ?? ""
        case "weapons": weapons ?? ""
        case "trigOther": trigOther ?? ""
        case "helpOther": helpOther ?? ""
        case "diagnosis": diagnosis ?? ""
        case "provider": provider ?? ""
        case "substanceDetail": substanceDetail ?? ""
        case "medications": medications ?? ""
        default: ""
        }
    }

    func isChecked(_ field: String) -> Bool {
        let value: String? =
            switch field {
            case "onFile": onFile
            case "quiet": quiet
            case "threatSelf": threatSelf
            case "threatYou": threatYou
            case "threatOthers": threatOthers
            case "trigLoud": trigLoud
            case "trigOver": trigOver
            case "trigClose": trigClose
            case "helpSoft": helpSoft
            case "helpDirect": helpDirect
            case "helpTrusted": helpTrusted
            case "selfCare": selfCare
            default: nil
            }
        return !(value ?? "").isEmpty
    }

    var answers: CrisisAnswers {
        CrisisAnswers(
            callerName: name ?? "", location: location ?? "", relationship: relation ?? "",
            lovedOneName: lovedName ?? "", happening: happening ?? "",
            infoOnFile: isChecked("onFile"), infoOnFileDetail: onFileDetail, noLightsOrSirens: isChecked("quiet"),
            weapons: weapons,
            threatsToSelf: isChecked("threatSelf"), threatsToCaller: isChecked("threatYou"), threatsToOthers: isChecked("threatOthers"),
            triggerSpeakingLoudly: isChecked("trigLoud"), triggerStandingOver: isChecked("trigOver"),
            triggerGettingTooClose: isChecked("trigClose"), triggerOther: trigOther,
            helpSpeakingSoftly: isChecked("helpSoft"), helpAddressingConcerns: isChecked("helpDirect"),
            helpTrustedPerson: isChecked("helpTrusted"), helpOther: helpOther,
            diagnosis: diagnosis, provider: provider,
            substance: CrisisAnswers.Substance(rawValue: substance ?? "") ?? .none, substanceDetail: substanceDetail,
            medications: medications, unableToCareForSelf: isChecked("selfCare"))
    }

    /// Messages by field name: required answers missing, answers too long, an unknown
    /// choice. Empty when the script can be made.
    var errors: [String: String] {
        var errors: [String: String] = [:]
        for field in answers.missingRequired { errors[field] = CrisisFormText.missing[field] }
        for field in Self.textFields {
            let length = text(field).utf16.count
            if length > Self.maxLength {
                errors[field] = "Please keep this shorter: at most \(Self.maxLength) characters (this has \(length))."
            }
        }
        if CrisisAnswers.Substance(rawValue: substance ?? "") == nil {
            errors["substance"] = "Please choose one of the answers."
        }
        return errors
    }
}

/// The words of the form, shared by the page and its error messages.
enum CrisisFormText {
    static let labels: [String: String] = [
        "name": "Your name",
        "location": "Where you are (address)",
        "relation": "Who your loved one is to you",
        "lovedName": "Your loved one’s name",
        "happening": "What is happening",
        "onFileDetail": "What is on file, and with whom",
        "weapons": "Which weapons",
        "trigOther": "Something else that makes it worse",
        "helpOther": "Something else that helps",
        "diagnosis": "Mental health diagnosis",
        "provider": "Mental health care provider",
        "substance": "Alcohol or drugs",
        "substanceDetail": "What they took",
        "medications": "Current medications",
    ]
    static let missing: [String: String] = [
        "name": "Please enter your name.",
        "location": "Please enter where you are, so help can find you.",
        "relation": "Please say who your loved one is to you, for example son or friend.",
        "lovedName": "Please enter your loved one’s name.",
        "happening": "Please say what is happening.",
    ]
}
